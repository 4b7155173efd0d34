#include "kernel/sched/reaper.h"

#include "kernel/debug/panic.h"
#include "kernel/object/process.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/wait_queue.h"

namespace kernel::sched {

namespace {

// Dead threads waiting for the reaper, linked through their queue_node (a dead thread is in no
// other queue). `g_pending` counts them for the reaper's Semaphore.
constinit IrqSpinlock g_dead_lock{LockRank::WaitQueue};
lib::IntrusiveList<Thread, &Thread::queue_node> g_dead GUARDED_BY(g_dead_lock);
Semaphore g_pending;

void destroy(Thread& thread) {
    Process* process = thread.process;
    bool user = thread.user_rip != 0;
    if (process && user)
        process->detach(thread);
    thread.charge = {}; // its stack is back: refunded even if a capability keeps the object
    thread.release();   // the scheduler's reference; capabilities may keep the exit state
    // The last thread of a user process has left its address space for good: its tables can go,
    // and the thread's reference to the process with them.
    if (process && user && process->live_threads.fetch_sub(1) == 1)
        process->release_address_space();
    if (process && user)
        process->release();
}

[[noreturn]] void reaper_loop(void*) {
    for (;;) {
        g_pending.down();
        Thread* thread;
        {
            Guard guard(g_dead_lock);
            thread = g_dead.pop_front();
        }
        if (thread)
            destroy(*thread);
    }
}

} // namespace

void start_reaper() {
    if (!spawn("reaper", reaper_loop, nullptr))
        PANIC("sched: cannot start the reaper thread");
}

void reap_later(Thread& thread) {
    {
        Guard guard(g_dead_lock);
        g_dead.push_back(thread);
    }
    g_pending.up();
}

} // namespace kernel::sched
