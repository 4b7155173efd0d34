// A scheduler that does not schedule: block_current() records the waiter and returns at once
// (so IPC operations return IpcStatus::Blocked), wake() records the waiter. A test plays every
// thread itself and checks who was blocked and woken, in which order.
#pragma once

#include <utility>
#include <vector>

#include "kernel/ipc/ipc_waiter.h"

namespace ipc_test {

class FakeScheduler final : public kernel::ipc::SchedulerHooks {
public:
    void block_current(kernel::ipc::IpcWaiter& waiter) override { blocked.push_back(&waiter); }
    void wake(kernel::ipc::IpcWaiter& waiter) override { woken.push_back(&waiter); }
    // The fast path's hand-off, recorded as (blocking, handed the CPU), then a wake and a block.
    void block_current_handing_off(kernel::ipc::IpcWaiter& self,
                                   kernel::ipc::IpcWaiter& partner) override {
        hand_offs.push_back({&self, &partner});
        wake(partner);
        block_current(self);
    }

    std::vector<kernel::ipc::IpcWaiter*> blocked;
    std::vector<kernel::ipc::IpcWaiter*> woken;
    std::vector<std::pair<kernel::ipc::IpcWaiter*, kernel::ipc::IpcWaiter*>> hand_offs;
};

} // namespace ipc_test
