// Blocking that tolerates an early wake-up, for IPC, IRQ lines and exit notices: their
// protocols queue the thread under their own lock and only then call block, with that lock
// released, so the partner (possibly on another CPU, or an interrupt) may wake it before it has
// blocked. The thread's block_lock orders the two: block marks the thread Blocked under it
// unless a wake is already pending; wake records a pending wake unless the thread is Blocked
// and unclaimed, in which case it claims it and makes it ready (sched::wake, which leaves the
// queueing to the thread's CPU if it is still on it).
//
// Such a block is interruptible by a kill (Thread::request_kill): a killed thread does not
// block, and a blocked one is woken by the killer, who claims the wake so the partner's later
// wake becomes a pending one. block_until_woken then says Interrupted, and the caller must
// take the thread out of what it waited in under that structure's lock; if a partner had
// already completed it there, the partner's wake is still owed and the caller absorbs it with
// an uninterruptible block (which returns at once if it was pending). So every wake issued is
// consumed before the thread ends, and none touches a freed thread.
//
// Lock order: whatever the caller holds (an endpoint lock, an IrqLine's lock) -> block_lock;
// block_lock is released before sched::wake takes a run queue lock.
#pragma once

#include <optional>

#include "kernel/object/thread.h"

namespace kernel::sched {

enum class BlockMode : uint8_t { Interruptible, Uninterruptible };
enum class BlockResult : uint8_t { Woken, Interrupted };

// Blocks the calling thread until wake_blocked(it); returns at once if that already happened.
// Interrupted when the thread was killed before or while it blocked (see above).
// `partner`: a thread the caller owes a wake_blocked(); when it is blocked on this CPU, off it
// and unclaimed, the caller claims its wake and switches straight to it (the IPC fast path: no
// run queue, no pick); otherwise, or if the caller does not block after all, it is woken.
BlockResult block_until_woken(BlockMode mode = BlockMode::Interruptible, Thread* partner = nullptr);
// block_until_woken(mode) in two halves, for the IPC fast path (kernel/ipc/fastpath.h), which
// marks itself Blocked under the endpoint lock, in the same section that completes its partner,
// and switches with interrupts off (they must be off from begin_block() to the switch):
// - begin_block: what block_until_woken() would return at once (a pending wake, a kill),
//   leaving the thread running; otherwise nullopt, and the thread is Blocked.
// - end_block: after the switch back, whether a kill ended the block.
// Inline: the syscall fast path blocks through it on every round trip.
inline std::optional<BlockResult> begin_block(Thread& self, BlockMode mode) {
    Guard guard(self.block_lock, INTERRUPTS_OFF);
    if (self.wake_pending) {
        self.wake_pending = false;
        return BlockResult::Woken;
    }
    bool interruptible = mode == BlockMode::Interruptible;
    // Read under block_lock, after the killer set it and before it looks at our state: either
    // we see the kill here, or the killer sees us Blocked below.
    if (interruptible && self.kill_requested())
        return BlockResult::Interrupted;
    // Blocked before the lock drops, as in WaitQueue: a waker that takes the lock next sees it
    // and hands the thread to sched::wake, which waits until this CPU has switched away.
    self.state = ThreadState::Blocked;
    self.wake_claimed = false;
    self.woken_by_kill = false;
    self.blocked_interruptibly = interruptible;
    return std::nullopt;
}
// No lock: the thread runs again only after someone claimed its wake (wake_claimed), and from
// then until its next begin_block() nobody but the thread touches woken_by_kill (the killer
// writes it only while claiming); the claim happened before the thread was queued or switched
// to, so its write is visible here. blocked_interruptibly is read only for a thread whose wake
// is unclaimed, so it needs no reset before the next block sets it.
inline BlockResult end_block(Thread& self) NO_THREAD_SAFETY_ANALYSIS {
    return self.woken_by_kill ? BlockResult::Interrupted : BlockResult::Woken;
}
// Wakes `thread` from block_until_woken(), now or (if it has not blocked yet, or a kill is
// waking it already) when it next blocks. Exactly one wake per block from the partner: the
// IPC, IRQ and exit-notice protocols guarantee it.
void wake_blocked(Thread& thread);
// The killer's wake: wakes `thread` if it is blocked interruptibly and nobody has claimed its
// wake yet; otherwise nothing (a thread not yet blocked sees its kill flag before it blocks).
void interrupt_block(Thread& thread);

} // namespace kernel::sched
