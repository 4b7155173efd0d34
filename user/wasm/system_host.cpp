#include "user/wasm/system_host.h"

#include "abi/init.h"
#include "lib/time/ticks.h"
#include "user/libmnos/clock.h"
#include "user/libmnos/console.h"
#include "user/libmnos/syscall.h"

namespace wasm_host {

namespace {

using wasm::wasi::ClockId;
using wasm::wasi::Errno;

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

SystemHost::SystemHost(std::optional<mnos::FileService> files) : m_files(std::move(files)) {
    m_tsc_hz = mnos::clock::tsc_hz();
    if (auto base = mnos::clock::wall_clock_ns(); base && m_tsc_hz != 0)
        m_wall_base_ns = *base - *mnos::clock::monotonic_ns();
    m_rdrand = has_rdrand();
    m_state = mnos::clock::rdtsc() | 1;
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
    if (m_tsc_hz == 0 || (clock == ClockId::Realtime && !m_wall_base_ns))
        return std::unexpected(Errno::NoSys);
    uint64_t since_boot = lib::time::ticks_to_ns(mnos::clock::rdtsc(), m_tsc_hz);
    // The CPU-time clocks read the same count: an approximation, documented in hypervisor.md.
    return clock == ClockId::Realtime ? *m_wall_base_ns + since_boot : since_boot;
}

wasm::wasi::TimeResult SystemHost::clock_resolution(ClockId clock) {
    if (m_tsc_hz == 0 || (clock == ClockId::Realtime && !m_wall_base_ns))
        return std::unexpected(Errno::NoSys);
    return 1'000'000'000 / m_tsc_hz + 1;
}

Errno SystemHost::sleep(uint64_t nanoseconds) {
    // The kernel sleeps in milliseconds, up to an hour per call: round up (a sleep may be
    // longer than asked, never shorter) and sleep in hours for longer waits.
    constexpr uint64_t HOUR_MS = 3'600'000;
    uint64_t milliseconds = nanoseconds / 1'000'000 + (nanoseconds % 1'000'000 != 0);
    while (milliseconds > 0) {
        uint64_t part = milliseconds < HOUR_MS ? milliseconds : HOUR_MS;
        if (!mnos::sys::sleep(part))
            return Errno::Io;
        milliseconds -= part;
    }
    return Errno::Success;
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

namespace {

// The file service's refusals as WASI's: `invalid` is what InvalidArgument means for the call
// (a directory read, a file listed).
Errno errno_of(mnos::Error error, Errno invalid = Errno::Inval) {
    switch (error) {
    case mnos::Error::NotFound: return Errno::NoEnt;
    case mnos::Error::InvalidArgument: return invalid;
    case mnos::Error::BadAddress: return Errno::NameTooLong;
    default: return Errno::Io; // the service failed or went away (it is restarted)
    }
}

lib::StringView view(std::span<const char> path) { return {path.data(), path.size()}; }

} // namespace

std::expected<wasm::wasi::FileInfo, Errno> SystemHost::stat(std::span<const char> path) {
    auto found = m_files->stat(view(path));
    if (!found)
        return std::unexpected(errno_of(found.error()));
    return wasm::wasi::FileInfo{found->kind == mnos::fs::Kind::Directory, found->size};
}

wasm::wasi::IoResult SystemHost::read(std::span<const char> path, uint64_t offset,
                                      std::span<uint8_t> bytes) {
    auto count = m_files->read(view(path), offset, bytes);
    if (!count)
        return std::unexpected(errno_of(count.error(), Errno::IsDir));
    return *count;
}

wasm::wasi::IoResult SystemHost::entry(std::span<const char> path, uint64_t index,
                                       std::span<char> name, wasm::wasi::FileInfo& info) {
    auto found = m_files->entry(view(path), index, name);
    if (!found)
        return std::unexpected(errno_of(found.error(), Errno::NotDir));
    info = {found->kind == mnos::fs::Kind::Directory, found->size};
    return found->name_length < name.size() ? found->name_length : name.size();
}

} // namespace wasm_host
