#include "kernel/sched/blocking.h"

#include <utility>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/sched/scheduler.h"

namespace kernel::sched {

BlockResult block_until_woken(BlockMode mode, Thread* partner) {
    // Interrupts off before reading current(): the thread must not move between finding itself
    // and blocking.
    bool was_enabled = cpu::interrupts_enabled();
    cpu::disable_interrupts();
    Thread& self = *current();
    // Claimed with interrupts off, so nothing on this CPU runs between the claim and the switch;
    // no other CPU can queue or wake it once its wake is claimed (only pend one).
    Thread* direct = partner && claim_for_switch(*partner) ? partner : nullptr;
    if (partner && !direct)
        wake_blocked(*partner);
    std::optional<BlockResult> result = begin_block(self, mode);
    if (result) {
        if (direct)
            wake(*direct);
    } else {
        // Interrupts stay off until we have switched away.
        if (direct)
            switch_to_claimed(*direct);
        else
            block_current();
        result = end_block(self);
    }
    if (was_enabled)
        cpu::enable_interrupts();
    return *result;
}

void wake_blocked(Thread& thread) {
    {
        Guard guard(thread.block_lock);
        if (thread.state != ThreadState::Blocked || thread.wake_claimed) {
            thread.wake_pending = true; // still on its way to block, or a kill woke it first
            return;
        }
        thread.wake_claimed = true;
    }
    wake(thread);
}

void interrupt_block(Thread& thread) {
    {
        Guard guard(thread.block_lock);
        if (thread.state != ThreadState::Blocked || !thread.blocked_interruptibly ||
            thread.wake_claimed)
            return;
        thread.wake_claimed = true;
        thread.woken_by_kill = true;
    }
    wake(thread);
}

} // namespace kernel::sched
