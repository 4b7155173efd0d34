// Thread: the unit the scheduler runs, and a kernel object a capability can name (SpawnThread
// returns one): its holder can end it (KillThread, WRITE) and wait for it and read how it ended
// (WaitThread, READ). Thread ids stay, for logs only.
//
// A Thread owns a kernel stack (with an unmapped guard page below it), the registers saved when
// it is switched out (on that stack; saved_rsp points at them), its FPU/SSE state, and its place
// in exactly one queue at a time (a run queue, a sleep list or a wait queue). The scheduler
// holds one reference from creation until the CPU that switches away from the thread for the
// last time gives its stack back (finish_switch); capabilities hold the others, so a thread
// that has ended lives on as its exit state for as long as someone can ask for it.
#pragma once

#include <atomic>
#include <cstdint>

#include "abi/syscall.h"
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/ipc/ipc_waiter.h"
#include "kernel/mm/memory.h"
#include "kernel/object/exit_notice.h"
#include "kernel/object/irq_line.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_budget.h"
#include "kernel/sync/spinlock.h"
#include "kernel/syscall/invocation.h"
#include "lib/intrusive_list.h"

namespace kernel::object {

class Process;
class Thread;

// The IPC and IRQ waiters a thread embeds, each with the way back to its thread: the hooks that
// block and wake (kernel/ipc/kernel_hooks.cpp) receive only the waiter.
struct ThreadIpcWaiter : ipc::IpcWaiter {
    Thread* thread = nullptr;
};
struct ThreadIrqWaiter : IrqWaiter {
    Thread* thread = nullptr;
};

enum class ThreadState : uint8_t { Ready, Running, Blocked, Dead };

inline constexpr uint32_t ANY_CPU = ~0u;

class Thread final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::Thread;
    using Entry = void (*)(void* argument);

    Thread() : KernelObject(CAP_TYPE) {
        ipc.thread = this;
        irq.thread = this;
    }
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;

    // ---- the invocations (abi/syscall.h); thread.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::WaitThread>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::KillThread>, syscall::Invocation&);

    // Asks the thread to end; it does at its next return towards Ring 3 (a syscall's end, an
    // interrupt that arrived while it ran there, which an IPI forces if it runs on another CPU).
    void request_kill();
    bool kill_requested() const { return m_kill_requested.load(std::memory_order_acquire); }

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
    uint32_t sleep_cpu = 0;            // whose sleep list it is on while asleep
    uint64_t user_rip = 0, user_rsp = 0, user_argument = 0; // a user thread's first entry
    uint64_t switches_in = 0;          // times it was switched to (statistics and tests)
    uint64_t ran_on_cpus = 0;          // a bit per CPU it has run on (statistics)

    lib::IntrusiveListNode queue_node; // run queue or a wait queue
    // Its own link for a sleep list: a kill makes a sleeper ready (on queue_node) while it is
    // still listed, and it takes itself off the list only once it runs again.
    lib::IntrusiveListNode sleep_node;

    // block_lock orders a thread's blocking and switching out against its waker. Under it:
    // - wake_pending: an IPC or IRQ wake that came before the thread marked itself Blocked
    //   (blocking.h); block_until_woken() consumes it instead of blocking.
    // - wake_after_switch: a wake that came while the Blocked thread was still on its CPU;
    //   that CPU's scheduler queues the thread once it is switched out (sched::wake()).
    ThreadIpcWaiter ipc; // its cnode is the process's (set by spawn)
    ThreadIrqWaiter irq;
    // - wake_claimed: someone (the partner or a killer) is waking the Blocked thread; a second
    //   waker leaves a pending wake instead (blocking.h).
    // - woken_by_kill, blocked_interruptibly: whether this block may be, and was, ended by a kill.
    IrqSpinlock block_lock{LockRank::BlockLock};
    bool wake_pending GUARDED_BY(block_lock) = false;
    bool wake_after_switch GUARDED_BY(block_lock) = false;
    bool wake_claimed GUARDED_BY(block_lock) = false;
    bool woken_by_kill GUARDED_BY(block_lock) = false;
    bool blocked_interruptibly GUARDED_BY(block_lock) = false;
    // Set while the thread is parked in the syscall fast path (kernel/ipc/fastpath.cpp), to its
    // syscall frame: a fast-path partner that claims its wake may then complete the call in
    // that frame and resume it straight into Ring 3 (sched::switch_to_claimed_user). Written by
    // the thread itself before it switches out and after it is back, and by the one thread
    // that claimed its wake in between (the claim and on_cpu order the two).
    syscall::SyscallFrame* resume_frame = nullptr;

#if MNOS_LOCK_RANKS
    // The lock ranks it held when it was last switched out (CpuArch::held_locks while it runs).
    lock_rank::HeldLocks held_locks;
#endif

    // ---- ending (thread.cpp)

    // Records how the calling thread ends, fails the IPC partners it leaves (a caller it owes a
    // reply gets PeerGone), gives up its IRQ line, wakes its waiters, and never returns.
    [[noreturn]] static void end_current(ExitState how);
    bool has_ended() const { return m_exit.posted(); }

    // What a user thread (its kernel stack and this object) is charged to its process's budget;
    // refunded at its last switch away.
    BudgetCharge charge;

    // This thread's link while it waits in an ExitNotice or a Notification (it waits in one
    // at a time).
    Thread* next_waiter = nullptr;
    // The bits it waits for in a Notification (under that notification's lock).
    uint64_t notification_mask = 0;
    // Its place in its process's thread list (under the process's thread lock).
    lib::IntrusiveListNode process_node;

private:
    ExitNotice m_exit;
    std::atomic<bool> m_kill_requested{false};
};

} // namespace kernel::object

namespace kernel::sched {
// The scheduler's name for the same class.
using object::ANY_CPU;
using object::Process;
using object::Thread;
using object::ThreadState;
using object::ThreadIpcWaiter;
using object::ThreadIrqWaiter;
} // namespace kernel::sched
