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
        if ((m_holder && m_holder != &waiter) || (waiter.held && waiter.held != this))
            return lib::fail(mnos::Error::Busy);
        m_holder = &waiter;
        waiter.held = this;
        if (m_pending) {
            // Delivered at once; the line stays masked until the holder waits again.
            m_pending = false;
            m_state = IrqState::Handling;
            return IrqWaitStatus::Fired;
        }
        waiter.fired = false;
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
    // A level-triggered line is masked first, whatever the state: nobody is ready for another
    // interrupt until the next wait(), and masking stops the line firing again at once. An
    // edge-triggered line stays unmasked (IrqTrigger).
    if (m_trigger == IrqTrigger::Level)
        m_hooks.mask(m_gsi);
    if (m_state == IrqState::Waiting) {
        m_state = IrqState::Handling;
        m_holder->fired = true;
        m_hooks.wake(*m_holder);
    } else {
        m_pending = true;
    }
}

lib::Result<uint64_t> IrqLine::invoke(syscall::Op<mnos::Syscall::WaitIrq>,
                                      syscall::Invocation& call) {
    // The kernel's hooks really block, so a wait that returns has seen the interrupt.
    if (TRY(wait(call.irq)) != IrqWaitStatus::Fired)
        return lib::fail(mnos::Error::Busy);
    return 0;
}

bool IrqLine::abandon(IrqWaiter& waiter) {
    Guard guard(m_lock);
    if (m_holder != &waiter || m_state != IrqState::Waiting)
        return waiter.fired;
    // Handling (and masked, if level-triggered): as if it had fired, so fire() latches instead
    // of waking; the relinquish that follows as the thread ends makes the line Idle for its next
    // holder.
    if (m_trigger == IrqTrigger::Level)
        m_hooks.mask(m_gsi);
    m_state = IrqState::Handling;
    return false;
}

void IrqLine::relinquish(IrqWaiter& waiter) {
    Guard guard(m_lock);
    if (m_holder != &waiter)
        return;
    m_holder = nullptr;
    waiter.held = nullptr;
    m_state = IrqState::Idle;
    if (m_trigger == IrqTrigger::Level)
        m_hooks.mask(m_gsi);
}

} // namespace kernel::object
