// A scheduler that does not schedule: block_current() records the waiter and returns at once
// (so IPC operations return IpcStatus::Blocked), wake() records the waiter. A test plays every
// thread itself and checks who was blocked and woken, in which order.
#pragma once

#include <vector>

#include "kernel/ipc/ipc_waiter.h"

namespace ipc_test {

class FakeScheduler final : public kernel::ipc::SchedulerHooks {
public:
    void block_current(kernel::ipc::IpcWaiter& waiter) override { blocked.push_back(&waiter); }
    void wake(kernel::ipc::IpcWaiter& waiter) override { woken.push_back(&waiter); }

    std::vector<kernel::ipc::IpcWaiter*> blocked;
    std::vector<kernel::ipc::IpcWaiter*> woken;
};

} // namespace ipc_test
