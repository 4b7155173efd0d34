// A counter's ticks at `hz` as nanoseconds, in 64-bit arithmetic: whole seconds and the
// remainder separately, so no product overflows (the remainder is below hz, and hz below
// 18 GHz) and no 128-bit division is needed (freestanding code has no __udivti3).
#pragma once

#include <cstdint>

namespace lib::time {

constexpr uint64_t ticks_to_ns(uint64_t ticks, uint64_t hz) {
    return ticks / hz * 1'000'000'000 + ticks % hz * 1'000'000'000 / hz;
}

} // namespace lib::time
