#include "kernel/sched/blocking.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/sched/scheduler.h"

namespace kernel::sched {

void block_until_woken() {
    // Interrupts off before reading current(): the thread must not move between finding itself
    // and blocking.
    bool was_enabled = cpu::interrupts_enabled();
    cpu::disable_interrupts();
    Thread& self = *current();
    self.block_lock.lock();
    if (self.wake_pending) {
        self.wake_pending = false;
        self.block_lock.unlock(was_enabled);
        return;
    }
    // Blocked before the lock drops, as in WaitQueue: a waker that takes the lock next sees it
    // and hands the thread to sched::wake, which waits until this CPU has switched away.
    self.state = ThreadState::Blocked;
    self.block_lock.unlock(false); // interrupts stay off until we have switched away
    block_current();
    if (was_enabled)
        cpu::enable_interrupts();
}

void wake_blocked(Thread& thread) {
    {
        Guard guard(thread.block_lock);
        if (thread.state != ThreadState::Blocked) {
            thread.wake_pending = true; // still on its way to block_until_woken
            return;
        }
    }
    wake(thread);
}

} // namespace kernel::sched
