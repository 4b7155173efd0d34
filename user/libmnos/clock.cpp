#include "user/libmnos/clock.h"

#include "abi/init.h"
#include "lib/time/ticks.h"
#include "user/libmnos/console.h"

namespace mnos::clock {

namespace {

// A decimal environment value, or nothing when it is absent or not a number.
std::optional<uint64_t> number(const char* name) {
    lib::StringView text = mnos::environment(name);
    if (text.length() == 0)
        return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + uint64_t(c - '0');
    }
    return value;
}

} // namespace

uint64_t rdtsc() {
    uint32_t low, high;
    // Sound: RDTSC only reads the time stamp counter; the kernel leaves CR4.TSD clear, so it is
    // allowed in Ring 3.
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return uint64_t(high) << 32 | low;
}

uint64_t tsc_hz() { return number(mnos::init_env::TSC_HZ).value_or(0); }

std::optional<uint64_t> monotonic_ns() {
    uint64_t hz = tsc_hz();
    if (hz == 0)
        return std::nullopt;
    return lib::time::ticks_to_ns(rdtsc(), hz);
}

std::optional<uint64_t> wall_clock_ns() {
    auto base = number(mnos::init_env::WALL_CLOCK_BASE_NS);
    auto now = monotonic_ns();
    if (!base || !now)
        return std::nullopt;
    return *base + *now;
}

} // namespace mnos::clock
