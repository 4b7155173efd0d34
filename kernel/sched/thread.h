// Thread: the unit the scheduler runs. It owns a kernel stack (with an unmapped guard page below
// it), the registers saved when it is switched out (on that stack; saved_rsp points at them), its
// FPU/SSE state, and its place in exactly one queue at a time (a run queue, a sleep list or a
// wait queue). Threads are created by sched::spawn and freed by the CPU that switches away from
// them for the last time (finish_switch).
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/arch/x86_64/fpu.h"
#include "kernel/ipc/ipc_waiter.h"
#include "kernel/mm/memory.h"
#include "kernel/object/irq_line.h"
#include "kernel/sync/spinlock.h"
#include "lib/intrusive_list.h"

namespace kernel::sched {

class Process;
struct Thread;

// The IPC and IRQ waiters a thread embeds, each with the way back to its thread: the hooks that
// block and wake (kernel/ipc/kernel_hooks.cpp) receive only the waiter.
struct ThreadIpcWaiter : ipc::IpcWaiter {
    Thread* thread = nullptr;
};
struct ThreadIrqWaiter : object::IrqWaiter {
    Thread* thread = nullptr;
};

enum class ThreadState : uint8_t { Ready, Running, Blocked, Dead };

inline constexpr uint32_t ANY_CPU = ~0u;

struct Thread {
    using Entry = void (*)(void* argument);

    Thread() {
        ipc.thread = this;
        irq.thread = this;
    }
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;

    uint64_t id = 0;
    char name[24] = {};
    ThreadState state = ThreadState::Ready;
    Process* process = nullptr; // null for kernel threads

    mm::KernelStack stack;
    uint64_t saved_rsp = 0;     // valid while the thread is not running
    x86_64::FpuState fpu;

    Entry entry = nullptr;
    void* argument = nullptr;

    uint32_t cpu = 0;                  // the CPU whose run queue holds it / that runs it
    uint32_t pinned_cpu = ANY_CPU;     // set: never migrated, never stolen
    std::atomic<bool> on_cpu{false};   // true until its context is fully saved after a switch
    bool is_idle = false;

    uint64_t wake_tick = 0;            // for sleep
    uint64_t user_rip = 0, user_rsp = 0, user_argument = 0; // a user thread's first entry
    uint64_t switches_in = 0;          // times it was switched to (statistics and tests)
    uint64_t ran_on_cpus = 0;          // a bit per CPU it has run on (statistics)

    lib::IntrusiveListNode queue_node; // run queue, sleep list or a wait queue

    // block_lock orders a thread's blocking and switching out against its waker. Under it:
    // - wake_pending: an IPC or IRQ wake that came before the thread marked itself Blocked
    //   (blocking.h); block_until_woken() consumes it instead of blocking.
    // - wake_after_switch: a wake that came while the Blocked thread was still on its CPU;
    //   that CPU's scheduler queues the thread once it is switched out (sched::wake()).
    ThreadIpcWaiter ipc; // its cnode is the process's (set by spawn)
    ThreadIrqWaiter irq;
    IrqSpinlock block_lock{LockRank::BlockLock};
    bool wake_pending GUARDED_BY(block_lock) = false;
    bool wake_after_switch GUARDED_BY(block_lock) = false;

#if MNOS_LOCK_RANKS
    // The lock ranks it held when it was last switched out (CpuArch::held_locks while it runs).
    lock_rank::HeldLocks held_locks;
#endif
};

} // namespace kernel::sched
