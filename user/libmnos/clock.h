// Time in Ring 3 without a system call: RDTSC, the calibrated frequency init passes on
// (MNOS_TSC_HZ) and the wall clock's base read from the CMOS clock at boot
// (MNOS_WALL_CLOCK_BASE_NS), see abi/init.h. Each call reads the environment afresh (a few
// dozen characters); a caller in a hot loop keeps tsc_hz() itself.
#pragma once

#include <cstdint>
#include <optional>

namespace mnos::clock {

// Nanoseconds since the machine started, or nothing when the TSC's frequency is unknown.
std::optional<uint64_t> monotonic_ns();
// Nanoseconds since 1970-01-01 00:00:00 UTC, or nothing without a wall clock.
std::optional<uint64_t> wall_clock_ns();
// The TSC's frequency in Hz (0 when unknown).
uint64_t tsc_hz();
uint64_t rdtsc();

} // namespace mnos::clock
