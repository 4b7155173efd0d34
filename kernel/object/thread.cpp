#include "kernel/object/thread.h"

#include "kernel/object/endpoint.h"
#include "kernel/object/process.h"
#include "kernel/sched/blocking.h"
#include "kernel/sched/scheduler.h"

namespace kernel::object {

void Thread::request_kill() {
    m_kill_requested.store(true, std::memory_order_release);
    // Blocked in IPC, on an IRQ line or waiting for an exit: woken, and it ends on its way out
    // of the kernel (blocking.h). Running in Ring 3 on another CPU: an interrupt there brings it
    // into the kernel, whose way back out ends it. Elsewhere it ends at its next return towards
    // Ring 3.
    sched::interrupt_block(*this);
    sched::interrupt(*this);
}

void Thread::end_current(ExitState how) {
    Thread& self = *sched::current();
    // Partners first, while the thread is still whole: a caller it owes a reply must not wait
    // for an answer that will never come.
    Endpoint::cancel(self.ipc);
    if (IrqLine* line = self.irq.held)
        line->relinquish(self.irq);
    self.m_exit.post(how);
    sched::exit_current();
}

// (thread) -> 0 once it has ended; RSI the reason, RDX the code or vector, R10 the address
lib::Result<uint64_t> Thread::invoke(syscall::Op<mnos::Syscall::WaitThread>,
                                     syscall::Invocation& call) {
    Thread* self = call.caller;
    if (!self || self == this)
        return lib::fail(mnos::Error::InvalidArgument); // a thread cannot outwait itself
    // The capability lookup's reference keeps this thread object alive while we wait.
    ExitState how = m_exit.wait(*self);
    write_exit_state(call.registers, how);
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
