// The interrupt descriptor table: one table shared by every CPU, all 256 gates pointing at the
// entry stubs of interrupt_entry.S. Double fault, NMI and machine check run on their own IST
// stacks; everything else on the interrupted kernel stack (or RSP0 coming from Ring 3).
#pragma once

namespace kernel::x86_64::idt {

// Fills the table (once, on the boot processor).
void build();
// Loads it on the running CPU.
void load();

} // namespace kernel::x86_64::idt
