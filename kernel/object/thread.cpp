#include "kernel/object/thread.h"

#include "kernel/object/endpoint.h"
#include "kernel/object/process.h"
#include "kernel/sched/blocking.h"
#include "kernel/sched/scheduler.h"

namespace kernel::object {

void Thread::request_kill() {
    m_kill_requested.store(true, std::memory_order_release);
    // Running in Ring 3 on another CPU: an interrupt there brings it into the kernel, whose way
    // back out ends it. Elsewhere it ends at its next return towards Ring 3.
    sched::interrupt(*this);
}

bool Thread::has_ended() const {
    Guard guard(m_exit_lock);
    return m_ended;
}

void Thread::end_current(ExitState how) {
    Thread& self = *sched::current();
    // Partners first, while the thread is still whole: a caller it owes a reply must not wait
    // for an answer that will never come.
    Endpoint::cancel(self.ipc);
    if (IrqLine* line = self.irq.held)
        line->relinquish(self.irq);
    Thread* waiters;
    {
        Guard guard(self.m_exit_lock);
        self.m_ended = true;
        self.m_exit = how;
        waiters = std::exchange(self.m_first_exit_waiter, nullptr);
    }
    // Each waiter is blocked in WaitThread (or about to block: block_until_woken copes), and
    // only we wake it; the link is read before the wake, after which the waiter may run.
    while (waiters) {
        Thread* next = std::exchange(waiters->m_next_exit_waiter, nullptr);
        sched::wake_blocked(*waiters);
        waiters = next;
    }
    sched::exit_current();
}

// (thread) -> 0 once it has ended; RSI the reason, RDX the code or vector, R10 the address
lib::Result<uint64_t> Thread::invoke(syscall::Op<mnos::Syscall::WaitThread>,
                                     syscall::Invocation& call) {
    Thread* self = call.caller;
    if (!self || self == this)
        return lib::fail(mnos::Error::InvalidArgument); // a thread cannot outwait itself
    bool ended;
    {
        Guard guard(m_exit_lock);
        ended = m_ended;
        if (!ended) {
            self->m_next_exit_waiter = m_first_exit_waiter;
            m_first_exit_waiter = self;
        }
    }
    // The capability lookup's reference keeps this thread object alive while we wait.
    if (!ended)
        sched::block_until_woken();
    Guard guard(m_exit_lock);
    call.registers.rsi = uint64_t(m_exit.reason);
    call.registers.rdx = m_exit.code;
    call.registers.r10 = m_exit.fault_address;
    return 0;
}

// (thread) -> 0; it ends at its next return towards Ring 3
lib::Result<uint64_t> Thread::invoke(syscall::Op<mnos::Syscall::KillThread>,
                                     syscall::Invocation& call) {
    if (!user_rip)
        return lib::fail(mnos::Error::InvalidArgument); // kernel threads are not killed
    request_kill();
    return 0;
}

} // namespace kernel::object
