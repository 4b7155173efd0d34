#include "kernel/object/notification.h"

#include <utility>

#include "kernel/object/thread.h"
#include "kernel/sched/blocking.h"

namespace kernel::object {

void Notification::signal(uint64_t bits) {
    Thread* woken = nullptr; // through next_waiter, once off the waiter list
    {
        Guard guard(m_lock);
        m_bits |= bits;
        for (Thread** link = &m_first_waiter; *link;) {
            Thread* waiter = *link;
            if (!(waiter->notification_mask & m_bits)) {
                link = &waiter->next_waiter;
                continue;
            }
            *link = std::exchange(waiter->next_waiter, woken);
            woken = waiter;
        }
    }
    // Off the list, each waiter is ours alone to wake: exactly one wake per block (blocking.h).
    // Waking every waiter the bits concern, not only the first: one that wants other bits must
    // not swallow the wake of one that wants these.
    while (woken) {
        Thread* next = std::exchange(woken->next_waiter, nullptr);
        sched::wake_blocked(*woken);
        woken = next;
    }
}

bool Notification::unlist_locked(Thread& self) {
    for (Thread** link = &m_first_waiter; *link; link = &(*link)->next_waiter)
        if (*link == &self) {
            *link = std::exchange(self.next_waiter, nullptr);
            return true;
        }
    return false;
}

uint64_t Notification::wait(Thread& self, uint64_t mask) {
    while (true) {
        {
            Guard guard(m_lock);
            if (uint64_t taken = m_bits & mask) {
                m_bits &= ~taken;
                return taken;
            }
            Thread** tail = &m_first_waiter;
            while (*tail)
                tail = &(*tail)->next_waiter;
            *tail = &self;
            self.notification_mask = mask;
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
        // Woken by a signal; another thread with the same bits in its mask may have taken them
        // in between: then wait again.
    }
}

lib::Result<uint64_t> Notification::invoke(syscall::Op<mnos::Syscall::Signal>,
                                           syscall::Invocation& call) {
    uint64_t bits = call.registers.arg1();
    // Bit 63 could not come back: a wait's result with it set would read as an error.
    if (bits == 0 || bits > USABLE_BITS)
        return lib::fail(mnos::Error::InvalidArgument);
    signal(bits);
    return 0;
}

lib::Result<uint64_t> Notification::invoke(syscall::Op<mnos::Syscall::WaitNotification>,
                                           syscall::Invocation& call) {
    if (!call.caller)
        return lib::fail(mnos::Error::InvalidArgument); // host tests have no thread to block
    // 0 waits for any bit, as the call did before it took a mask.
    uint64_t mask = call.registers.arg1();
    if (mask > USABLE_BITS)
        return lib::fail(mnos::Error::InvalidArgument);
    uint64_t bits = wait(*call.caller, mask ? mask : USABLE_BITS);
    // Killed while waiting: the thread ends on its way out, before this value is seen.
    if (bits == 0)
        return lib::fail(mnos::Error::Busy);
    return bits;
}

} // namespace kernel::object
