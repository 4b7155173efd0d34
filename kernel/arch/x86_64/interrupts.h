// Boot phase 3: descriptor tables, ACPI's MADT, the 8259s masked, the local APIC and its
// calibrated timer, the I/O APICs, then interrupts on with a periodic 100 Hz tick.
#pragma once

#include "kernel/boot/boot_info.h"

namespace kernel::x86_64 {

void init_interrupts(const BootInfo& boot_info);

// Interrupts on the spurious vector so far (they get no EOI).
uint64_t spurious_interrupts();

} // namespace kernel::x86_64
