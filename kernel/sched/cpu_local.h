// What the scheduler needs from the CPU it runs on: its index, where the current thread is
// published, and how to kick another CPU. Single-CPU binding for now (the boot processor is
// CPU 0); the SMP work binds these to the per-CPU block reached through GS and to IPIs.
#pragma once

#include <cstdint>

namespace kernel::sched {

struct Thread;

inline uint32_t cpu_index() { return 0; }
inline void set_current_thread(Thread*) {}
inline void send_reschedule_ipi(uint32_t) {}

} // namespace kernel::sched
