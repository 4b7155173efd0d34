// The reaper: where ended threads are destroyed, outside the scheduler's critical path. The CPU
// that switches away from a dead thread for the last time only gives its kernel stack back (no
// CPU runs on it any more) and hands the thread to the reaper; the reaper, a kernel thread of
// its own, takes it off its process, drops the scheduler's reference, and for a process's last
// thread releases the address space and lets the exit notice go out. So a teardown that frees
// many page tables, regions and capabilities runs with interrupts on and preemptible, never
// inside a context switch.
#pragma once

#include "kernel/object/thread.h"

namespace kernel::sched {

// Starts the reaper thread. Called once, when the scheduler runs on CPU 0.
void start_reaper();
// From finish_switch, with interrupts off: `thread` is dead and its stack already given back.
void reap_later(Thread& thread);

} // namespace kernel::sched
