// Supervisor protections each CPU turns on where it has them (CPUID leaf 7):
// - SMEP: the kernel never executes a user page, so a jump into user memory faults instead of
//   running code a program placed there.
// - SMAP: the kernel never reads or writes a user page through its user address. Nothing in
//   the kernel does: user memory is copied through the direct map after a page-table walk
//   (kernel/syscall/user_memory.cpp), so there are no stac/clac windows at all. RFLAGS.AC, which
//   would lift SMAP, is cleared on every entry from Ring 3 (SFMASK for SYSCALL, the interrupt
//   stub for interrupts and exceptions).
// - UMIP: SGDT, SIDT, SLDT, SMSW and STR fault in Ring 3, so a program cannot read where the
//   kernel's descriptor tables are.
#pragma once

namespace kernel::x86_64 {

struct Protections {
    bool smep = false, smap = false, umip = false;
};

// Enables what this CPU supports; returns what that was. Called once per CPU at bring-up.
Protections enable_protections();

} // namespace kernel::x86_64
