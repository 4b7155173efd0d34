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
// This header also builds on the host (for unit tests of code that takes these locks); there the
// interrupt flag does not exist and only the lock logic remains.
#pragma once

#include <atomic>
#include <cstdint>

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

class Spinlock {
public:
    void lock() {
        if (spinlock_policy() == SpinlockPolicy::Barging) {
            // Test and test-and-set: spin on plain loads, which keep the cache line shared,
            // and try the atomic only when the lock looks free.
            while (!try_lock())
                while (is_locked())
                    relax();
            return;
        }
        uint32_t ticket = m_next.fetch_add(1, std::memory_order_relaxed);
        while (m_serving.load(std::memory_order_acquire) != ticket)
            relax();
    }
    // Takes the lock only if nobody holds or waits for it. Acquire on m_serving: that is what the
    // last holder's unlock() released.
    bool try_lock() {
        uint32_t serving = m_serving.load(std::memory_order_acquire);
        uint32_t expected = serving;
        return m_next.compare_exchange_strong(expected, serving + 1, std::memory_order_acquire,
                                              std::memory_order_relaxed);
    }
    void unlock() { m_serving.fetch_add(1, std::memory_order_release); }
    bool is_locked() const {
        return m_next.load(std::memory_order_relaxed) != m_serving.load(std::memory_order_relaxed);
    }

private:
    static void relax() {
#ifdef MNOS_KERNEL
        cpu::pause();
#else
        std::this_thread::yield(); // host threads share cores with the rest of the test run
#endif
    }
    std::atomic<uint32_t> m_next{0};
    std::atomic<uint32_t> m_serving{0};
};

class IrqSpinlock {
public:
    // Returns whether interrupts were enabled before, for unlock() to restore.
    bool lock() {
        bool was_enabled = save_and_disable();
        m_lock.lock();
        return was_enabled;
    }
    void unlock(bool was_enabled) {
        m_lock.unlock();
        if (was_enabled)
            restore();
    }
    bool is_locked() const { return m_lock.is_locked(); }

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
    Spinlock m_lock;
};

// Guard<Spinlock> / Guard<IrqSpinlock>: holds the lock for the guard's scope.
template <typename Lock> class Guard;

template <> class [[nodiscard]] Guard<Spinlock> {
public:
    explicit Guard(Spinlock& lock) : m_lock(lock) { m_lock.lock(); }
    ~Guard() { m_lock.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    Spinlock& m_lock;
};

template <> class [[nodiscard]] Guard<IrqSpinlock> {
public:
    explicit Guard(IrqSpinlock& lock) : m_lock(lock), m_was_enabled(lock.lock()) {}
    ~Guard() { m_lock.unlock(m_was_enabled); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    IrqSpinlock& m_lock;
    bool m_was_enabled;
};

template <typename Lock> Guard(Lock&) -> Guard<Lock>;

} // namespace kernel
