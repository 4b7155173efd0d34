// IrqLine: one interrupt line (a GSI) delivered to the thread that waits on it.
//
// The state machine; the line is masked whenever nobody is ready for the next interrupt:
//
//   Idle --wait()--> Waiting --fire()--> Handling --wait()--> Waiting --fire()--> ...
//        unmask, block      mask, wake          unmask, block
//
//   fire() in Idle or Handling: mask (it already is), latch `pending`.
//   wait() with `pending` set: clear it, enter Handling and return at once (still masked).
//
// A fire acknowledges nothing: the line stays masked while the holder handles the device, and
// the holder's next wait() is its acknowledgement (it unmasks and blocks again). So a level-
// triggered device cannot storm the CPU while its driver runs, and no interrupt is lost: one
// that fires while the holder is not waiting is latched and consumed by the next wait().
//
// One holder per line: the first waiter holds the line, waiting or handling, until it gives it
// up with relinquish() (the kernel does that when the thread exits); anyone else's wait() is
// Busy, so nobody but the holder can acknowledge its interrupt. A waiter holds at most one
// line. The kernel keeps every IrqLine it creates for its lifetime (kernel/irq/irq_lines.h),
// so a waiter's `held` never outlives its line.
//
// Masking and blocking are hooks (the I/O APIC and the scheduler in the kernel, fakes in host
// tests). fire() runs in interrupt context; the line's IrqSpinlock makes that safe.
#pragma once

#include <cstdint>

#include "kernel/object/kernel_object.h"
#include "kernel/sync/spinlock.h"
#include "kernel/syscall/invocation.h"

namespace kernel::object {

class IrqLine;

// Embedded in the waiting thread: the scheduler finds its thread from it.
struct IrqWaiter {
    bool fired = false;      // set (under the line's lock) before wake()
    IrqLine* held = nullptr; // the line it holds (under that line's lock), until relinquish()
};

class IrqHooks {
public:
    virtual void mask(uint32_t gsi) = 0;
    virtual void unmask(uint32_t gsi) = 0;
    // Blocks the current thread until wake(waiter). A wake that comes before the block (another
    // CPU fired the line in between) must make the block return at once.
    virtual void block_current(IrqWaiter& waiter) = 0;
    virtual void wake(IrqWaiter& waiter) = 0;

protected:
    ~IrqHooks() = default;
};

enum class IrqState : uint8_t { Idle, Waiting, Handling };

// How the line signals. A level-triggered line is masked from its interrupt until the holder
// waits again, or it would interrupt without end while the device still asserts it. An
// edge-triggered one (the ISA devices') is never masked once it exists: the I/O APIC drops an
// edge on a masked pin, and a device whose line stays raised after a lost edge (a UART with an
// interrupt pending) never interrupts again. That covers the moments nobody waits: while the
// holder handles the last interrupt, before a new driver's first wait, after a driver died. An
// interrupt then is latched and taken by the next wait; an edge line cannot storm.
enum class IrqTrigger : uint8_t { Level, Edge };

// What wait() did: the interrupt had already fired (or fired while blocked), or the caller is
// still blocked (only with a hook that returns before the wake, as in the host tests).
enum class IrqWaitStatus : uint8_t { Fired, Blocked };

class IrqLine final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::IrqLine;

    static lib::Result<lib::RefPtr<IrqLine>> create(uint32_t gsi, IrqHooks& hooks,
                                                    IrqTrigger trigger = IrqTrigger::Level) {
        return create_object<IrqLine>(gsi, hooks, trigger);
    }

    // (irq line) -> 0 once the line fired; READ. Acknowledges the previous interrupt.
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::WaitIrq>, syscall::Invocation&);

    uint32_t gsi() const { return m_gsi; }
    IrqState state() const;
    bool pending() const;

    // Takes the line if nobody holds it, acknowledges the previous interrupt and waits for the
    // next. Busy if another waiter holds the line, or this one holds another line.
    lib::Result<IrqWaitStatus> wait(IrqWaiter& waiter);
    // From the interrupt handler: masks the line and wakes the holder, or latches the interrupt.
    void fire();
    // After the holder's wait was interrupted (its thread is being killed): no interrupt wakes
    // it any more. Returns whether one already had (its wake is then pending, and must be
    // taken before the thread ends).
    bool abandon(IrqWaiter& waiter);
    // The holder gives the line up (its thread is ending), blocked or not; the line is masked
    // and Idle until the next waiter takes it. Nothing if `waiter` does not hold it.
    void relinquish(IrqWaiter& waiter);

    // Inline on purpose: an out-of-line virtual destructor would become the key function and
    // drag the vtable (and operator delete) into every object file that includes irq_line.cpp.
    ~IrqLine() override {
        // Nobody can hold it (a holder's wait holds a reference, and relinquish() comes before the
        // holder's thread is gone); leave the line masked.
        m_hooks.mask(m_gsi);
    }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    IrqLine(uint32_t gsi, IrqHooks& hooks, IrqTrigger trigger)
        : KernelObject(CAP_TYPE), m_gsi(gsi), m_trigger(trigger), m_hooks(hooks) {}

    mutable IrqSpinlock m_lock{LockRank::IrqLine};
    const uint32_t m_gsi;
    const IrqTrigger m_trigger;
    IrqHooks& m_hooks;
    IrqState m_state GUARDED_BY(m_lock) = IrqState::Idle; // Idle exactly when nobody holds it
    bool m_pending GUARDED_BY(m_lock) = false;
    IrqWaiter* m_holder GUARDED_BY(m_lock) = nullptr;
};

} // namespace kernel::object
