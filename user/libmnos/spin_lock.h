// A lock for Ring 3 threads of one process: a test-and-set flag, yielding the CPU while it is
// taken (the holder may be preempted; spinning would only delay it).
#pragma once

#include <atomic>

#include "user/libmnos/syscall.h"

namespace mnos {

class SpinLock {
public:
    void lock() {
        while (m_held.exchange(true, std::memory_order_acquire))
            sys::yield();
    }
    void unlock() { m_held.store(false, std::memory_order_release); }

private:
    std::atomic<bool> m_held{false};
};

class LockGuard {
public:
    explicit LockGuard(SpinLock& lock) : m_lock(lock) { m_lock.lock(); }
    ~LockGuard() { m_lock.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    SpinLock& m_lock;
};

} // namespace mnos
