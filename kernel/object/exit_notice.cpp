#include "kernel/object/exit_notice.h"

#include <utility>

#include "kernel/object/thread.h"
#include "kernel/sched/blocking.h"

namespace kernel::object {

ExitState ExitNotice::wait(Thread& self) {
    {
        Guard guard(m_lock);
        if (m_posted)
            return m_state;
        self.next_waiter = m_first_waiter;
        m_first_waiter = &self;
    }
    // A post between the unlock and the block is a wake before the block, which
    // block_until_woken takes as one (blocking.h); exactly one wake comes, from post().
    if (sched::block_until_woken() == sched::BlockResult::Interrupted) {
        // Killed: leave the list, unless post() has taken it already, in which case its wake is
        // on the way and must be taken before this thread may end.
        bool listed = false;
        {
            Guard guard(m_lock);
            for (Thread** link = &m_first_waiter; *link; link = &(*link)->next_waiter)
                if (*link == &self) {
                    *link = self.next_waiter;
                    self.next_waiter = nullptr;
                    listed = true;
                    break;
                }
        }
        if (!listed)
            sched::block_until_woken(sched::BlockMode::Uninterruptible);
    }
    Guard guard(m_lock);
    return m_state; // what a killed waiter reads here does not matter: it is ending
}

void ExitNotice::post(ExitState state) {
    Thread* waiters;
    {
        Guard guard(m_lock);
        if (m_posted)
            return;
        m_posted = true;
        m_state = state;
        waiters = std::exchange(m_first_waiter, nullptr);
    }
    // Each waiter is blocked in wait() (or about to block), and only we wake it; its link is
    // read before the wake, after which it may run and wait on something else.
    while (waiters) {
        Thread* next = std::exchange(waiters->next_waiter, nullptr);
        sched::wake_blocked(*waiters);
        waiters = next;
    }
}

bool ExitNotice::posted() const {
    Guard guard(m_lock);
    return m_posted;
}

} // namespace kernel::object
