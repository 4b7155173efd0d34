// Blocking that tolerates an early wake-up, for IPC and IRQ lines: their protocols queue the
// thread under their own lock and only then call block, with that lock released, so the partner
// (possibly on another CPU, or an interrupt) may wake it before it has blocked. The thread's
// block_lock orders the two: block marks the thread Blocked under it unless a wake is already
// pending; wake records a pending wake unless the thread is Blocked, in which case it makes it
// ready (sched::wake, which leaves the queueing to the thread's CPU if it is still on it).
//
// Lock order: whatever the caller holds (the IPC lock, an IrqLine's lock) -> Thread::block_lock;
// block_lock is released before sched::wake takes a run queue lock.
#pragma once

#include "kernel/object/thread.h"

namespace kernel::sched {

// Blocks the calling thread until wake_blocked(it); returns at once if that already happened.
void block_until_woken();
// Wakes `thread` from block_until_woken(), now or (if it has not blocked yet) when it tries.
// Exactly one wake per block: the IPC and IRQ protocols guarantee it.
void wake_blocked(Thread& thread);

} // namespace kernel::sched
