#include "kernel/object/notification.h"

#include <utility>

#include "kernel/object/thread.h"
#include "kernel/sched/blocking.h"

namespace kernel::object {

void Notification::signal(uint64_t bits) {
    Thread* woken;
    {
        Guard guard(m_lock);
        m_bits |= bits;
        woken = m_first_waiter;
        if (woken)
            m_first_waiter = std::exchange(woken->next_waiter, nullptr);
    }
    // Off the list, the waiter is ours alone to wake: exactly one wake per block (blocking.h).
    if (woken)
        sched::wake_blocked(*woken);
}

bool Notification::unlist_locked(Thread& self) {
    for (Thread** link = &m_first_waiter; *link; link = &(*link)->next_waiter)
        if (*link == &self) {
            *link = std::exchange(self.next_waiter, nullptr);
            return true;
        }
    return false;
}

uint64_t Notification::wait(Thread& self) {
    while (true) {
        {
            Guard guard(m_lock);
            if (m_bits)
                return std::exchange(m_bits, 0);
            Thread** tail = &m_first_waiter;
            while (*tail)
                tail = &(*tail)->next_waiter;
            *tail = &self;
        }
        // A signal between the unlock and the block is a wake before the block, which
        // block_until_woken takes as one.
        if (sched::block_until_woken() == sched::BlockResult::Interrupted) {
            bool listed;
            {
                Guard guard(m_lock);
                listed = unlist_locked(self);
            }
            // A signal that took us off the list has its wake on the way: absorb it before the
            // thread ends. The bits stay for the next waiter.
            if (!listed)
                sched::block_until_woken(sched::BlockMode::Uninterruptible);
            return 0;
        }
        // Woken by a signal; another thread may have taken the bits in between (it waited
        // without blocking): then wait again.
    }
}

lib::Result<uint64_t> Notification::invoke(syscall::Op<mnos::Syscall::Signal>,
                                           syscall::Invocation& call) {
    uint64_t bits = call.registers.arg1();
    if (bits == 0)
        return lib::fail(mnos::Error::InvalidArgument);
    signal(bits);
    return 0;
}

lib::Result<uint64_t> Notification::invoke(syscall::Op<mnos::Syscall::WaitNotification>,
                                           syscall::Invocation& call) {
    if (!call.caller)
        return lib::fail(mnos::Error::InvalidArgument); // host tests have no thread to block
    uint64_t bits = wait(*call.caller);
    // Killed while waiting: the thread ends on its way out, before this value is seen.
    if (bits == 0)
        return lib::fail(mnos::Error::Busy);
    return bits;
}

} // namespace kernel::object
