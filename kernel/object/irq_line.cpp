#include "kernel/object/irq_line.h"

namespace kernel::object {

IrqState IrqLine::state() const {
    Guard guard(m_lock);
    return m_state;
}

bool IrqLine::pending() const {
    Guard guard(m_lock);
    return m_pending;
}

lib::Result<IrqWaitStatus> IrqLine::wait(IrqWaiter& waiter) {
    {
        Guard guard(m_lock);
        if (m_waiter)
            return lib::fail(mnos::Error::Busy);
        if (m_pending) {
            // Delivered at once; the line stays masked until the holder waits again.
            m_pending = false;
            m_state = IrqState::Handling;
            return IrqWaitStatus::Fired;
        }
        waiter.fired = false;
        m_waiter = &waiter;
        m_state = IrqState::Waiting;
        m_hooks.unmask(m_gsi);
    }
    // Outside the lock: the hook may switch threads, and fire() on another CPU needs the lock
    // to wake us (the hook's contract covers a wake that arrives first).
    m_hooks.block_current(waiter);
    Guard guard(m_lock);
    return waiter.fired ? IrqWaitStatus::Fired : IrqWaitStatus::Blocked;
}

void IrqLine::fire() {
    Guard guard(m_lock);
    // Masked first, whatever the state: nobody is ready for another interrupt until the next
    // wait(), which is also what stops a level-triggered line from firing again at once.
    m_hooks.mask(m_gsi);
    if (m_state == IrqState::Waiting) {
        IrqWaiter* waiter = m_waiter;
        m_waiter = nullptr;
        m_state = IrqState::Handling;
        waiter->fired = true;
        m_hooks.wake(*waiter);
    } else {
        m_pending = true;
    }
}

void IrqLine::cancel_wait(IrqWaiter& waiter) {
    Guard guard(m_lock);
    if (m_waiter != &waiter)
        return;
    m_waiter = nullptr;
    m_state = IrqState::Idle;
    m_hooks.mask(m_gsi);
}

} // namespace kernel::object
