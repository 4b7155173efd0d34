// Ticket spinlock: FIFO-fair, so no CPU starves under contention. Lock it through Guard (RAII).
// IrqSpinlock additionally disables interrupts while held and restores the previous state, so
// an interrupt handler on the same CPU can never spin on a lock its own CPU holds.
//
// This header also builds on the host (for unit tests of code that takes these locks); there the
// interrupt flag does not exist and only the ticket logic remains.
#pragma once

#include <atomic>
#include <cstdint>

#ifdef MNOS_KERNEL
#include "kernel/arch/x86_64/cpu.h"
#endif

namespace kernel {

class Spinlock {
public:
    void lock() {
        uint32_t ticket = m_next.fetch_add(1, std::memory_order_relaxed);
        while (m_serving.load(std::memory_order_acquire) != ticket)
            relax();
    }
    // Takes the lock only if nobody holds or waits for it.
    bool try_lock() {
        uint32_t serving = m_serving.load(std::memory_order_relaxed);
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
