// The global timer tick: the boot processor's local APIC timer runs periodically at TICK_HZ
// and each interrupt advances the counter. The scheduler uses it for its 10 ms quanta.
#pragma once

#include <cstdint>

namespace kernel::irq {

inline constexpr uint32_t TICK_HZ = 100;

uint64_t ticks();
// Called from the timer interrupt.
void tick();

} // namespace kernel::irq
