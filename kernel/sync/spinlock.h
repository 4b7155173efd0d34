// Spinlock: a ticket lock (m_next is the next ticket to hand out, m_serving the one that holds
// the lock). How a waiter waits is a policy chosen once at boot, before a second CPU runs:
// - Fifo: take a ticket and wait for it to be served. Fair: no CPU starves under contention.
// - Barging: wait until the lock looks free, then try to take it (try_lock). Unfair, but on a
//   hypervisor that shares few host cores among many virtual CPUs, a FIFO hand-off goes to the
//   next ticket even when its virtual CPU is descheduled, and every other waiter spins until
//   the host runs it again; a barging lock goes to whichever CPU is running. (Linux makes the
//   same choice for guests without paravirtualised locks.)
// Both policies share the lock word and unlock(), so the choice changes only how waiters wait.
//
// IrqSpinlock additionally disables interrupts while held and restores the previous state, so
// an interrupt handler on the same CPU can never spin on a lock its own CPU holds. Lock both
// through Guard (RAII).
//
// Both carry clang thread-safety annotations (kernel/sync/thread_safety.h), so the compiler
// checks that guarded data is touched under its lock and every lock is released, and a lock
// rank (kernel/sync/lock_rank.h) that Debug builds check at run time against the locks this CPU
// already holds. A lock declared without a rank is Unranked and never checked:
//
//     IrqSpinlock m_lock{LockRank::Heap};
//     BlockHeader* m_free_list GUARDED_BY(m_lock) = nullptr;
//
// This header also builds on the host (for unit tests of code that takes these locks); there the
// interrupt flag does not exist and only the lock logic remains.
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/sync/lock_rank.h"
#include "kernel/sync/thread_safety.h"

#ifdef MNOS_KERNEL
#include "kernel/arch/x86_64/cpu.h"
#else
#include <thread>
#endif

namespace kernel {

enum class SpinlockPolicy : uint8_t { Fifo, Barging };

// Read on every contended lock(); written by set_spinlock_policy() only.
inline constinit std::atomic<SpinlockPolicy> g_spinlock_policy{SpinlockPolicy::Fifo};

// Only while no lock has a waiter (at boot, before other CPUs run; in a test, between runs).
inline void set_spinlock_policy(SpinlockPolicy policy) {
    g_spinlock_policy.store(policy, std::memory_order_relaxed);
}
inline SpinlockPolicy spinlock_policy() {
    return g_spinlock_policy.load(std::memory_order_relaxed);
}

// The lock operations themselves are where a capability starts and ends, which the analysis
// cannot see inside them: they carry NO_THREAD_SAFETY_ANALYSIS, and their callers are checked.
class CAPABILITY("spinlock") Spinlock {
public:
    constexpr explicit Spinlock(LockRank rank = LockRank::Unranked) {
#if MNOS_LOCK_RANKS
        m_rank = rank;
#else
        (void)rank;
#endif
    }
    Spinlock(const Spinlock&) = delete;
    Spinlock& operator=(const Spinlock&) = delete;

    void lock() ACQUIRE() NO_THREAD_SAFETY_ANALYSIS {
        check_rank(false);
        spin();
    }
    // The same rank as a lock this CPU already holds, taken on purpose: the caller orders all
    // locks of the rank by address (kernel/sync/lock_rank.h), which the checker verifies.
    void lock_nested() ACQUIRE() NO_THREAD_SAFETY_ANALYSIS {
        check_rank(true);
        spin();
    }
    // Takes the lock only if nobody holds or waits for it. Acquire on m_serving: that is what the
    // last holder's unlock() released. A try can never deadlock, so the order is not checked,
    // but a lock it takes is recorded like any other: what is taken under it is checked.
    bool try_lock() TRY_ACQUIRE(true) NO_THREAD_SAFETY_ANALYSIS {
        bool taken = try_take();
        if (taken)
            record_try();
        return taken;
    }
    void unlock() RELEASE() NO_THREAD_SAFETY_ANALYSIS {
#if MNOS_LOCK_RANKS
        if (m_rank != LockRank::Unranked)
            lock_rank::on_release(m_rank);
#endif
        m_serving.fetch_add(1, std::memory_order_release);
    }
    bool is_locked() const {
        return m_next.load(std::memory_order_relaxed) != m_serving.load(std::memory_order_relaxed);
    }
    LockRank rank() const {
#if MNOS_LOCK_RANKS
        return m_rank;
#else
        return LockRank::Unranked;
#endif
    }

private:
    void spin() {
        // Free and nobody waiting, the common case: taken at once under either policy (a FIFO
        // ticket would be served at once too).
        if (try_take())
            return;
        if (spinlock_policy() == SpinlockPolicy::Barging) {
            // Test and test-and-set: spin on plain loads, which keep the cache line shared,
            // and try the atomic only when the lock looks free.
            while (!try_take())
                while (is_locked())
                    relax();
            return;
        }
        uint32_t ticket = m_next.fetch_add(1, std::memory_order_relaxed);
        while (m_serving.load(std::memory_order_acquire) != ticket)
            relax();
    }
    bool try_take() {
        uint32_t serving = m_serving.load(std::memory_order_acquire);
        uint32_t expected = serving;
        return m_next.compare_exchange_strong(expected, serving + 1, std::memory_order_acquire,
                                              std::memory_order_relaxed);
    }
    void check_rank(bool nested) {
#if MNOS_LOCK_RANKS
        if (m_rank != LockRank::Unranked)
            lock_rank::on_acquire(m_rank, this, nested);
#else
        (void)nested;
#endif
    }
    // A successful try_lock is recorded without an order check: it never waited, so it cannot
    // be the step that closes a deadlock cycle.
    void record_try() {
#if MNOS_LOCK_RANKS
        if (m_rank != LockRank::Unranked)
            lock_rank::on_try_acquired(m_rank, this);
#endif
    }
    static void relax() {
#ifdef MNOS_KERNEL
        cpu::pause();
#else
        std::this_thread::yield(); // host threads share cores with the rest of the test run
#endif
    }
    std::atomic<uint32_t> m_next{0};
    std::atomic<uint32_t> m_serving{0};
#if MNOS_LOCK_RANKS
    LockRank m_rank = LockRank::Unranked;
#endif
};

class CAPABILITY("spinlock") IrqSpinlock {
public:
    constexpr explicit IrqSpinlock(LockRank rank = LockRank::Unranked) : m_lock(rank) {}

    // Returns whether interrupts were enabled before, for unlock() to restore. Interrupts go
    // off before the rank check, so the check's record and the lock stay on this CPU.
    bool lock() ACQUIRE() NO_THREAD_SAFETY_ANALYSIS {
        bool was_enabled = save_and_disable();
        m_lock.lock();
        return was_enabled;
    }
    bool lock_nested() ACQUIRE() NO_THREAD_SAFETY_ANALYSIS {
        bool was_enabled = save_and_disable();
        m_lock.lock_nested();
        return was_enabled;
    }
    void unlock(bool was_enabled) RELEASE() NO_THREAD_SAFETY_ANALYSIS {
        m_lock.unlock();
        if (was_enabled)
            restore();
    }
    // For code that runs with interrupts off already (the scheduler's switch, the IPC fast
    // path): the same lock without saving and restoring the interrupt flag, which there is
    // known. Debug builds check that it is off.
    void lock_interrupts_off() ACQUIRE() NO_THREAD_SAFETY_ANALYSIS {
        check_interrupts_off();
        m_lock.lock();
    }
    void unlock_interrupts_off() RELEASE() NO_THREAD_SAFETY_ANALYSIS { m_lock.unlock(); }
    bool is_locked() const { return m_lock.is_locked(); }
    LockRank rank() const { return m_lock.rank(); }

private:
    static bool save_and_disable() {
#ifdef MNOS_KERNEL
        bool enabled = cpu::interrupts_enabled();
        cpu::disable_interrupts();
        return enabled;
#else
        return false;
#endif
    }
    static void restore() {
#ifdef MNOS_KERNEL
        cpu::enable_interrupts();
#endif
    }
    static void check_interrupts_off() {
#if defined(MNOS_KERNEL) && MNOS_LOCK_RANKS
        // An interrupt handler on this CPU could spin on the lock: a bug to stop at once (#UD).
        if (cpu::interrupts_enabled())
            __builtin_trap();
#endif
    }
    // Not annotated as a capability of its own: IrqSpinlock is the capability the analysis
    // tracks, and its lock()/unlock() are the only users of this one.
    Spinlock m_lock;
};

// Guard<Spinlock> / Guard<IrqSpinlock>: holds the lock for the guard's scope. A guard made with
// NESTED takes a lock of a rank this CPU already holds (lock_nested()).
struct NestedTag {
    explicit constexpr NestedTag() = default;
};
inline constexpr NestedTag NESTED{};
// A guard made with INTERRUPTS_OFF takes an IrqSpinlock with interrupts known to be off
// (lock_interrupts_off()).
struct InterruptsOffTag {
    explicit constexpr InterruptsOffTag() = default;
};
inline constexpr InterruptsOffTag INTERRUPTS_OFF{};

template <typename Lock> class Guard;

template <> class [[nodiscard]] SCOPED_CAPABILITY Guard<Spinlock> {
public:
    explicit Guard(Spinlock& lock) ACQUIRE(lock) : m_lock(lock) { m_lock.lock(); }
    Guard(Spinlock& lock, NestedTag) ACQUIRE(lock) : m_lock(lock) { m_lock.lock_nested(); }
    ~Guard() RELEASE() { m_lock.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    Spinlock& m_lock;
};

template <> class [[nodiscard]] SCOPED_CAPABILITY Guard<IrqSpinlock> {
public:
    explicit Guard(IrqSpinlock& lock) ACQUIRE(lock) : m_lock(lock), m_was_enabled(lock.lock()) {}
    Guard(IrqSpinlock& lock, NestedTag) ACQUIRE(lock)
        : m_lock(lock), m_was_enabled(lock.lock_nested()) {}
    // m_was_enabled false: the unlock leaves interrupts as they are, off.
    Guard(IrqSpinlock& lock, InterruptsOffTag) ACQUIRE(lock) : m_lock(lock), m_was_enabled(false) {
        lock.lock_interrupts_off();
    }
    ~Guard() RELEASE() { m_lock.unlock(m_was_enabled); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    IrqSpinlock& m_lock;
    bool m_was_enabled;
};

template <typename Lock> Guard(Lock&) -> Guard<Lock>;
template <typename Lock> Guard(Lock&, NestedTag) -> Guard<Lock>;
template <typename Lock> Guard(Lock&, InterruptsOffTag) -> Guard<Lock>;

} // namespace kernel
