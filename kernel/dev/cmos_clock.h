// The wall clock: the CMOS real-time clock, read once at boot, tied to the calibrated TSC.
// The kernel keeps no time of day itself; it hands init the Unix time at which the TSC read 0
// (abi/init.h, MNOS_WALL_CLOCK_BASE_NS), so a program's wall clock is that plus RDTSC's count,
// as exact as the TSC calibration and with no system call.
#pragma once

#include <cstdint>
#include <optional>

namespace kernel::cmos_clock {

// Reads the chip (after the TSC is calibrated) and logs the date. Without a chip that gives
// a valid reading, the system has no wall clock and says so.
void init();
// Unix time in nanoseconds when the TSC read 0, or nothing without a wall clock.
std::optional<uint64_t> wall_clock_base_ns();

} // namespace kernel::cmos_clock
