// The 8254 PIT, used only as a known clock to calibrate the local APIC timer and the TSC:
// channel 2 counts down in mode 0 with its gate controlled through port 0x61; its count can be
// latched and read, and its output is readable at port 0x61, so no interrupt is needed.
#pragma once

#include <cstdint>

namespace kernel::x86_64::pit {

inline constexpr uint64_t FREQUENCY_HZ = 1193182;

// Starts a one-shot countdown of `count` PIT ticks (at most 65535) on channel 2.
void start_countdown(uint16_t count);
// Whether the countdown started last has reached zero.
bool countdown_done();
// Channel 0 (wired to ISA IRQ 0): one countdown of `count` ticks in mode 0, whose output rises
// once at zero: exactly one IRQ 0 edge. For tests of the interrupt routing.
void start_channel0_one_shot(uint16_t count);
// The current count of channel 2 (latched, so the two bytes belong together).
uint16_t read_count();

} // namespace kernel::x86_64::pit
