// The 8254 PIT, used only as a known clock to calibrate the local APIC timer and the TSC:
// channel 2 counts down in mode 0 with its gate controlled through port 0x61, and its output is
// readable there too, so it can be polled without any interrupt.
#pragma once

#include <cstdint>

namespace kernel::x86_64::pit {

inline constexpr uint64_t FREQUENCY_HZ = 1193182;

// Starts a one-shot countdown of `count` PIT ticks (at most 65535) on channel 2.
void start_countdown(uint16_t count);
// Whether the countdown started last has reached zero.
bool countdown_done();

} // namespace kernel::x86_64::pit
