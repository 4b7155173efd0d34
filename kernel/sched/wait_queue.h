// WaitQueue: threads blocked until some condition changes, woken in FIFO order. The building
// block for semaphores, IPC endpoints and IRQ lines. The condition is checked and the caller
// queued under the queue's lock with interrupts off, so a wake-up between the check and the
// block is never lost.
#pragma once

#include "kernel/sched/scheduler.h"
#include "kernel/sync/spinlock.h"

namespace kernel::sched {

class WaitQueue {
public:
    // Blocks the caller until woken. `still_waiting` runs under the queue's lock: when it returns
    // false the caller does not block.
    template <typename Predicate> void wait_while(Predicate still_waiting) {
        bool was_enabled = m_lock.lock();
        while (still_waiting()) {
            Thread& self = *current();
            m_waiters.push_back(self);
            // Blocked before the lock drops: a waker on another CPU that pops us from here on
            // sees Blocked, and hands the wake to this CPU if we have not switched away yet.
            self.state = ThreadState::Blocked;
            // Interrupts stay off (unlock(false)), so nothing runs on this CPU before we switch.
            m_lock.unlock(false);
            block_current();
            m_lock.lock();
        }
        m_lock.unlock(was_enabled);
    }

    // Wakes the longest waiter; false when nobody waits.
    bool wake_one() {
        Thread* t;
        {
            Guard guard(m_lock);
            t = m_waiters.pop_front();
        }
        if (t)
            wake(*t);
        return t != nullptr;
    }

    void wake_all() {
        while (wake_one()) {
        }
    }

    // Runs `change` under the queue's lock (so it is ordered with the predicate checks), then
    // wakes one waiter.
    template <typename Change> void update_and_wake_one(Change change) {
        Thread* t;
        {
            Guard guard(m_lock);
            change();
            t = m_waiters.pop_front();
        }
        if (t)
            wake(*t);
    }

private:
    IrqSpinlock m_lock{LockRank::WaitQueue};
    lib::IntrusiveList<Thread, &Thread::queue_node> m_waiters GUARDED_BY(m_lock);
};

// A counting semaphore over a WaitQueue.
class Semaphore {
public:
    explicit Semaphore(uint64_t initial = 0) : m_count(initial) {}
    void down() {
        m_queue.wait_while([this] {
            if (m_count == 0)
                return true;
            --m_count;
            return false;
        });
    }
    void up() {
        m_queue.update_and_wake_one([this] { ++m_count; });
    }

private:
    WaitQueue m_queue;
    uint64_t m_count;
};

} // namespace kernel::sched
