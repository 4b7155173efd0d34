// The kernel's side of lock-rank checking (kernel/sync/lock_rank.h): the record of held ranks
// is the running CPU's CpuArch::held_locks, and a violation panics naming both locks.
#include "kernel/sync/lock_rank.h"

#if MNOS_LOCK_RANKS

#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/debug/panic.h"

namespace kernel::lock_rank {

namespace {

std::atomic<bool> g_checking{false};

// Runs `update` on this CPU's record with interrupts off: a plain Spinlock is taken with
// interrupts on, and a preemption between finding the record and changing it could otherwise
// move the thread to another CPU, leaving it to change the first CPU's record. An interrupt
// handler that takes locks meanwhile changes the record too, but undoes its change before it
// returns, so the interrupted update is unaffected.
template <typename Update> void with_record(Update update) {
    bool was_enabled = cpu::interrupts_enabled();
    cpu::disable_interrupts();
    update(x86_64::this_cpu().held_locks);
    if (was_enabled)
        cpu::enable_interrupts();
}

} // namespace

void start_checking() { g_checking.store(true, std::memory_order_relaxed); }
void stop_checking() { g_checking.store(false, std::memory_order_relaxed); }
bool checking() { return g_checking.load(std::memory_order_relaxed); }

void on_acquire(LockRank rank, const void* lock, bool nested) {
    if (!checking())
        return;
    Violation v;
    bool ok = true;
    with_record([&](HeldLocks& held) { ok = held.acquire(rank, lock, nested, v); });
    if (ok)
        return;
    stop_checking(); // the panic takes locks of its own (and may be under the log lock)
    PANIC("lock order: taking {} lock {} while holding {} lock {}{}", lock_rank_name(v.wanted),
          v.wanted_lock, lock_rank_name(v.held), v.held_lock,
          v.nested ? " (same rank, not in ascending address order)" : "");
}

void on_try_acquired(LockRank rank, const void* lock) {
    if (checking())
        with_record([&](HeldLocks& held) { held.record(rank, lock); });
}

void on_release(LockRank rank) {
    if (checking())
        with_record([&](HeldLocks& held) { held.release(rank); });
}

} // namespace kernel::lock_rank

#endif
