// What the scheduler needs from the CPU it runs on, bound to the per-CPU block that GS points
// at (kernel/arch/x86_64/per_cpu.h) and to the local APIC's IPIs.
#pragma once

#include <cstdint>

#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/vectors.h"

namespace kernel::object {
class Thread;
}

namespace kernel::sched {

using object::Thread;

inline uint32_t cpu_index() { return x86_64::this_cpu().index; }
inline void set_current_thread(Thread* thread) { x86_64::this_cpu().current_thread = thread; }
// Safe with interrupts on (one GS-relative load); see this_cpu_current_thread().
inline Thread* current_thread() { return static_cast<Thread*>(x86_64::this_cpu_current_thread()); }
inline void send_reschedule_ipi(uint32_t cpu) {
    x86_64::lapic::send_ipi(x86_64::cpu_arch(cpu).apic_id, x86_64::vectors::IPI_RESCHEDULE);
}

} // namespace kernel::sched
