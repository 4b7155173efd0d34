// Notification: a word of event bits, for the waits IPC cannot express. Signal ORs bits in and
// never blocks; WaitNotification blocks until a bit of its mask is set, then takes those. A thread
// that owes a reply cannot receive again, but it can wait here: this is how a service holds a
// client's call while another of its threads (an interrupt handler, an input thread) produces
// the answer, and how two threads of a program wait for each other without spinning.
//
// Any number of threads may wait, each for its own mask of bits: a signal wakes every waiter
// whose mask it meets, and each takes the bits of its mask set by then. So one notification
// serves up to 63 threads that each wait for an event of their own (a driver's workers, each
// waiting for its request's completion), where one per thread would cost a slot each.
#pragma once

#include <cstdint>

#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_budget.h"
#include "kernel/sync/spinlock.h"
#include "kernel/syscall/invocation.h"

namespace kernel::object {

class Thread;

class Notification final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::Notification;
    // Bits 0..62: a wait returns its bits in RAX, where bit 63 would read as an error.
    static constexpr uint64_t USABLE_BITS = ~uint64_t(0) >> 1;

    static lib::Result<lib::RefPtr<Notification>> create(BudgetCharge charge = {}) {
        return create_object<Notification>(std::move(charge));
    }
    // (notification, bits) -> 0; WRITE. InvalidArgument for no bits, or bit 63.
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Signal>, syscall::Invocation&);
    // (notification, mask; 0 for every bit) -> the bits of the mask, once any is set; READ.
    // InvalidArgument for a mask with bit 63.
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::WaitNotification>,
                                 syscall::Invocation&);

    void signal(uint64_t bits);
    // Blocks `self` (the current thread) until a bit of `mask` is set and returns those bits,
    // cleared (the others stay); 0 only if the thread was killed while it waited (it is ending).
    uint64_t wait(Thread& self, uint64_t mask);

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    explicit Notification(BudgetCharge charge)
        : KernelObject(CAP_TYPE), m_charge(std::move(charge)) {}

    // Takes `self` off the waiter list; false if a signal took it off already.
    bool unlist_locked(Thread& self) REQUIRES(m_lock);

    mutable IrqSpinlock m_lock{LockRank::Notification};
    uint64_t m_bits GUARDED_BY(m_lock) = 0;
    Thread* m_first_waiter GUARDED_BY(m_lock) = nullptr; // through Thread::next_waiter, FIFO
    BudgetCharge m_charge;
};

} // namespace kernel::object
