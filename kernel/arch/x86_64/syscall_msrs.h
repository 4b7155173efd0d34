// Per-CPU SYSCALL/SYSRET set-up.
#pragma once

namespace kernel::x86_64 {

// EFER.SCE on; STAR with the kernel and user selector bases (the GDT order SYSRET requires, see
// descriptors.h); LSTAR = syscall_entry; SFMASK clears IF, DF, TF, AC and NT on entry.
void init_syscall_msrs();

} // namespace kernel::x86_64
