#include "user/wasm/system_host.h"

#include "abi/init.h"
#include "user/libmnos/console.h"

namespace wasm_host {

namespace {

using wasm::wasi::ClockId;
using wasm::wasi::Errno;

uint64_t rdtsc() {
    uint32_t low, high;
    // Sound: RDTSC only reads the time stamp counter, which the kernel allows in Ring 3.
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return uint64_t(high) << 32 | low;
}

bool has_rdrand() {
    uint32_t a = 1, b, c = 0, d;
    // Sound: CPUID only reads identification registers; leaf 1 ECX bit 30 is RDRAND.
    asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 30) & 1;
}

bool rdrand(uint64_t& out) {
    unsigned char ok;
    // Sound: RDRAND writes a random value and sets CF when it had one.
    asm volatile("rdrand %0; setc %1" : "=r"(out), "=qm"(ok));
    return ok;
}

} // namespace

SystemHost::SystemHost() {
    for (char c : mnos::environment(mnos::init_env::TSC_HZ))
        m_tsc_hz = m_tsc_hz * 10 + uint64_t(c - '0');
    m_rdrand = has_rdrand();
    m_state = rdtsc() | 1;
}

wasm::wasi::IoResult SystemHost::write(uint32_t, std::span<const uint8_t> bytes) {
    // Sound: the guest's bytes are text or not; either way they are chars to the console.
    auto written = mnos::write_output(
        lib::StringView(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    if (!written)
        return std::unexpected(Errno::Io);
    return bytes.size();
}

wasm::wasi::IoResult SystemHost::read(uint32_t, std::span<uint8_t> bytes) {
    if (m_pending_start == m_pending_end) {
        auto got = mnos::read_input(m_pending, sizeof m_pending);
        if (!got)
            return std::unexpected(Errno::Io);
        m_pending_start = 0;
        m_pending_end = *got;
        if (*got == 0)
            return 0; // ctrl-D: the end of input
    }
    size_t count = 0;
    while (count < bytes.size() && m_pending_start < m_pending_end)
        bytes[count++] = uint8_t(m_pending[m_pending_start++]);
    return count;
}

wasm::wasi::TimeResult SystemHost::clock_time(ClockId clock, uint64_t) {
    if (clock == ClockId::Realtime || m_tsc_hz == 0)
        return std::unexpected(Errno::NoSys); // no wall clock yet: docs/hypervisor.md
    uint64_t ticks = rdtsc();
    // Whole seconds and the remainder separately, so the product cannot overflow.
    return ticks / m_tsc_hz * 1'000'000'000 + ticks % m_tsc_hz * 1'000'000'000 / m_tsc_hz;
}

wasm::wasi::TimeResult SystemHost::clock_resolution(ClockId clock) {
    if (clock == ClockId::Realtime || m_tsc_hz == 0)
        return std::unexpected(Errno::NoSys);
    return 1'000'000'000 / m_tsc_hz + 1;
}

Errno SystemHost::random(std::span<uint8_t> bytes) {
    for (size_t i = 0; i < bytes.size(); i += 8) {
        uint64_t word = 0;
        if (!m_rdrand || !rdrand(word)) {
            // xorshift64*: not cryptographic, but never the same twice in a run.
            m_state ^= m_state >> 12;
            m_state ^= m_state << 25;
            m_state ^= m_state >> 27;
            word = m_state * 0x2545f4914f6cdd1d;
        }
        for (size_t b = 0; b < 8 && i + b < bytes.size(); ++b)
            bytes[i + b] = uint8_t(word >> (8 * b));
    }
    return Errno::Success;
}

} // namespace wasm_host
