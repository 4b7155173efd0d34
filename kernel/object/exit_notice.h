// ExitNotice: how a thread or a process ended, and the threads waiting to hear it (WaitThread,
// WaitProcess). Posted once; a wait after the post returns at once.
#pragma once

#include <cstdint>

#include "abi/syscall.h"
#include "kernel/sync/spinlock.h"

namespace kernel::object {

class Thread;

struct ExitState {
    mnos::ExitReason reason = mnos::ExitReason::Exited;
    uint64_t code = 0;          // the exit code, or the fault's vector
    uint64_t fault_address = 0; // CR2 for a page fault
};

// WaitThread's and WaitProcess's answer, in the registers abi/syscall.h names.
template <typename Registers> void write_exit_state(Registers& registers, const ExitState& how) {
    registers.rsi = uint64_t(how.reason);
    registers.rdx = how.code;
    registers.r10 = how.fault_address;
}

class ExitNotice {
public:
    // Blocks `self` (the current thread) until the notice is posted, then returns the state.
    ExitState wait(Thread& self);
    // Records `state` (the first post wins) and wakes every waiter.
    void post(ExitState state);
    bool posted() const;

private:
    mutable IrqSpinlock m_lock{LockRank::ExitNotice};
    bool m_posted GUARDED_BY(m_lock) = false;
    ExitState m_state GUARDED_BY(m_lock);
    Thread* m_first_waiter GUARDED_BY(m_lock) = nullptr; // through Thread::next_waiter
};

} // namespace kernel::object
