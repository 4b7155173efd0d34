#include "kernel/ipc/kernel_hooks.h"

#include "kernel/debug/panic.h"
#include "kernel/ipc/ipc_waiter.h"
#include "kernel/object/endpoint.h"
#include "kernel/irq/irq.h"
#include "kernel/sched/blocking.h"
#include "kernel/object/thread.h"
#include "kernel/sched/scheduler.h"

namespace kernel::ipc {

namespace {

// Every IpcWaiter and IrqWaiter the kernel passes to IPC or an IrqLine is the one embedded in a
// Thread (the syscall wrappers use thread.ipc / thread.irq), which is a ThreadIpcWaiter /
// ThreadIrqWaiter; so these downcasts are sound.
sched::Thread& thread_of(IpcWaiter& waiter) {
    return *static_cast<object::ThreadIpcWaiter&>(waiter).thread;
}
sched::Thread& thread_of(object::IrqWaiter& waiter) {
    return *static_cast<object::ThreadIrqWaiter&>(waiter).thread;
}

void check_is_current(sched::Thread& thread) {
    if (&thread != sched::current())
        PANIC("ipc: thread {} blocks on behalf of thread {}", sched::current()->id, thread.id);
}

class KernelSchedulerHooks final : public SchedulerHooks {
public:
    void block_current(IpcWaiter& waiter) override {
        check_is_current(thread_of(waiter));
        // A kill ends the wait early: off the endpoint, or, if a partner got there first, its
        // wake taken so that nothing wakes this thread once it has gone (blocking.h).
        if (sched::block_until_woken() == sched::BlockResult::Interrupted &&
            object::Endpoint::abandon(waiter))
            sched::block_until_woken(sched::BlockMode::Uninterruptible);
    }
    // After the endpoint lock is released: takes block_lock, then a run queue lock.
    void wake(IpcWaiter& waiter) override { sched::wake_blocked(thread_of(waiter)); }
    // As block_current, but the partner's thread may run next without a run queue.
    void block_current_handing_off(IpcWaiter& waiter, IpcWaiter& partner) override {
        check_is_current(thread_of(waiter));
        if (sched::block_until_woken(sched::BlockMode::Interruptible, &thread_of(partner)) ==
                sched::BlockResult::Interrupted &&
            object::Endpoint::abandon(waiter))
            sched::block_until_woken(sched::BlockMode::Uninterruptible);
    }
};

class KernelIrqHooks final : public object::IrqHooks {
public:
    // The line's handler is registered for the kernel's lifetime (irq_lines.cpp), so NotFound
    // cannot happen; there is nothing better to do with an error in interrupt context anyway.
    void mask(uint32_t gsi) override { (void)irq::set_masked(gsi, true); }
    void unmask(uint32_t gsi) override { (void)irq::set_masked(gsi, false); }
    void block_current(object::IrqWaiter& waiter) override {
        check_is_current(thread_of(waiter));
        if (sched::block_until_woken() == sched::BlockResult::Interrupted && waiter.held &&
            waiter.held->abandon(waiter))
            sched::block_until_woken(sched::BlockMode::Uninterruptible);
    }
    // From the interrupt handler, under the line's lock.
    void wake(object::IrqWaiter& waiter) override { sched::wake_blocked(thread_of(waiter)); }
};

constinit KernelSchedulerHooks g_scheduler_hooks;
constinit KernelIrqHooks g_irq_hooks;

} // namespace

void install_kernel_hooks() { install_scheduler_hooks(g_scheduler_hooks); }

object::IrqHooks& kernel_irq_hooks() { return g_irq_hooks; }

} // namespace kernel::ipc
