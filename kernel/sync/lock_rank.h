// Lock ranks: the kernel's lock order, checked at run time in Debug builds (MNOS_LOCK_RANKS).
//
// Every lock class has a rank; a CPU may only take a lock whose rank is above every rank it
// already holds. So a wrong order panics the first time a test runs it, naming both locks,
// instead of deadlocking one day when two CPUs happen to interleave. Release builds compile the
// check out: the rank is then only a constructor argument that is thrown away.
//
// The ranks, outermost first (take a lock only after those above it in this list):
//
//   Endpoint -> Derivation -> CNode         capabilities and IPC (kernel/ipc, kernel/cap)
//   UserMappings                            a process's user mappings (held across page-table work)
//   TlbRequest                              the shootdown request in flight
//   WaitQueue                               a WaitQueue's waiter list (kernel/sched/wait_queue.h)
//   PciDevice                               a device's claim table, pins and vectors (object/pci_device)
//   IrqLineTable -> IrqLine                 first use of a GSI; one IrqLine's state
//   IrqRegistration -> IoApic               GSI handlers; the I/O APIC's redirection table
//   ThreadList                              a process's threads (a kill wakes them under it)
//   ExitNotice                              a thread's or process's exit state and waiters
//   BlockLock -> RunQueue                   Thread::block_lock; a CPU's run queue
//   StackPool                               reused kernel stacks
//   Heap -> KernelMappings -> Pmm           kernel heap, kernel page tables, frame bitmaps
//   Log                                     serial and console output: a leaf, taken under anything
//
// (docs/scheduler.md, "Locking discipline", says why each pair is ordered so.) The two plain
// Spinlocks, UserMappings and TlbRequest, are held with interrupts on, so every lock an
// interrupt handler takes (IrqLine, IrqRegistration, IoApic, BlockLock, RunQueue, Log) may be
// taken under them and must rank after them.
//
// A lock declared without a rank is Unranked: it is neither checked nor recorded, so code that
// has not been given ranks yet keeps working. Two locks of one rank may be held at once only
// when taken with lock_nested(), in ascending address order (two CNodes, two run queues): the
// checker panics on a nested lock whose address is not above the last one of its rank.
//
// The record of held ranks is per CPU (CpuArch::held_locks), because a lock taken with
// interrupts off belongs to the CPU; the scheduler carries it with a thread across a switch,
// since a plain Spinlock may be held by a thread that is preempted and moves to another CPU.
// On the host (unit tests) it is per thread, and a violation aborts with the same message.
#pragma once

#include <cstddef>
#include <cstdint>

#if !defined(MNOS_KERNEL)
#include <cstdio>
#include <cstdlib>
#endif

#ifndef MNOS_LOCK_RANKS
#define MNOS_LOCK_RANKS 0
#endif

namespace kernel {

enum class LockRank : uint8_t {
    Unranked = 0,
    Endpoint,
    Derivation,
    CNode,
    UserMappings,
    TlbRequest,
    WaitQueue,
    PciDevice,
    IrqLineTable,
    IrqLine,
    Notification,
    IrqRegistration,
    IoApic,
    ThreadList,
    ProcessWatch,
    ExitNotice,
    BlockLock,
    RunQueue,
    StackPool,
    Heap,
    KernelMappings,
    Pmm,
    Log,
    Count, // not a rank
};

constexpr const char* lock_rank_name(LockRank rank) {
    switch (rank) {
    case LockRank::Unranked: return "unranked";
    case LockRank::Endpoint: return "endpoint";
    case LockRank::Derivation: return "derivation";
    case LockRank::CNode: return "cnode";
    case LockRank::UserMappings: return "user mappings";
    case LockRank::WaitQueue: return "wait queue";
    case LockRank::PciDevice: return "pci device";
    case LockRank::IrqLineTable: return "irq line table";
    case LockRank::IrqLine: return "irq line";
    case LockRank::Notification: return "notification";
    case LockRank::IrqRegistration: return "irq registration";
    case LockRank::IoApic: return "io apic";
    case LockRank::ThreadList: return "thread list";
    case LockRank::ProcessWatch: return "process watch";
    case LockRank::ExitNotice: return "exit notice";
    case LockRank::BlockLock: return "block_lock";
    case LockRank::RunQueue: return "run queue";
    case LockRank::StackPool: return "stack pool";
    case LockRank::Heap: return "heap";
    case LockRank::KernelMappings: return "kernel mappings";
    case LockRank::Pmm: return "pmm";
    case LockRank::TlbRequest: return "tlb request";
    case LockRank::Log: return "log";
    case LockRank::Count: break;
    }
    return "?";
}

namespace lock_rank {

inline constexpr bool CHECKED = MNOS_LOCK_RANKS != 0;
inline constexpr size_t RANKS = size_t(LockRank::Count);

// A lock that may not be taken now, and the held lock that forbids it.
struct Violation {
    LockRank wanted = LockRank::Unranked;
    const void* wanted_lock = nullptr;
    LockRank held = LockRank::Unranked;
    const void* held_lock = nullptr;
    bool nested = false; // same rank, taken with lock_nested() but not in address order
};

// The ranks one CPU (or host thread) holds: how many locks of each, and the last one taken.
// Hardware-free, so the host tests exercise the same bookkeeping the kernel runs.
struct HeldLocks {
    uint16_t depth[RANKS] = {};
    const void* last[RANKS] = {};

    // Records `lock` as held if the order allows it; otherwise fills `violation` and records
    // nothing. Called before the lock is spun on, so a wrong order is reported, not deadlocked.
    bool acquire(LockRank rank, const void* lock, bool nested, Violation& violation) {
        size_t r = size_t(rank);
        if (r == 0 || r >= RANKS)
            return true;
        for (size_t above = RANKS - 1; above >= r; --above) {
            if (!depth[above])
                continue;
            // Held: a lock of this rank or a later one. Only a deliberate nesting of the same
            // rank, in ascending address order, may go on.
            if (above == r && nested && lock > last[r])
                break;
            violation = {rank, lock, LockRank(above), last[above], above == r && nested};
            return false;
        }
        ++depth[r];
        last[r] = lock;
        return true;
    }

    // A lock taken by try_lock: it never waited, so it cannot complete a deadlock cycle, but
    // what is taken under it is checked against it.
    void record(LockRank rank, const void* lock) {
        size_t r = size_t(rank);
        if (r == 0 || r >= RANKS)
            return;
        ++depth[r];
        last[r] = lock;
    }

    // Locks may be released in any order; a release of a rank that is not recorded (a lock
    // taken before the checker was switched on) is ignored rather than underflowing.
    void release(LockRank rank) {
        size_t r = size_t(rank);
        if (r == 0 || r >= RANKS || depth[r] == 0)
            return;
        if (--depth[r] == 0)
            last[r] = nullptr;
    }

    bool empty() const {
        for (uint16_t d : depth)
            if (d)
                return false;
        return true;
    }
};

#if MNOS_LOCK_RANKS
// Checks and records an acquisition (panics or aborts on a violation), and forgets a release.
// The kernel's are in kernel/sync/lock_rank.cpp; the host's follow.
void on_acquire(LockRank rank, const void* lock, bool nested);
void on_try_acquired(LockRank rank, const void* lock);
void on_release(LockRank rank);

#ifdef MNOS_KERNEL
// The kernel checks nothing until the boot processor's GS base points at its CpuArch
// (x86_64::init_cpu calls start_checking): before that there is no per-CPU record to read.
// Application processors set their GS base before they take any lock. A panic stops checking,
// so reporting one violation cannot trip another.
void start_checking();
void stop_checking();
bool checking();
#else
// A host thread is what holds a lock there (no interrupts, no migration to worry about).
inline thread_local HeldLocks t_held_locks;

inline void on_acquire(LockRank rank, const void* lock, bool nested) {
    Violation v;
    if (t_held_locks.acquire(rank, lock, nested, v))
        return;
    std::fprintf(stderr, "lock order violation: taking %s lock %p while holding %s lock %p%s\n",
                 lock_rank_name(v.wanted), v.wanted_lock, lock_rank_name(v.held), v.held_lock,
                 v.nested ? " (same rank, not in ascending address order)" : "");
    std::abort();
}
inline void on_try_acquired(LockRank rank, const void* lock) { t_held_locks.record(rank, lock); }
inline void on_release(LockRank rank) { t_held_locks.release(rank); }
#endif
#elif defined(MNOS_KERNEL)
inline void start_checking() {}
inline void stop_checking() {}
inline bool checking() { return false; }
#endif

} // namespace lock_rank

} // namespace kernel
