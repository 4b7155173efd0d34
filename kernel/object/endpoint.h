// Endpoint: a rendezvous point for synchronous IPC. It holds no messages, only two FIFO queues
// of blocked threads: senders waiting for a receiver and receivers waiting for a sender (at
// most one of them is non-empty at any time). The protocol lives in kernel/ipc/ipc.h; the
// queues are guarded by the IPC lock and touched only there.
//
// A send or call needs WRITE on the endpoint's capability, a receive needs READ.
#pragma once

#include "kernel/ipc/ipc_waiter.h"
#include "kernel/object/kernel_object.h"

namespace kernel::object {

class Endpoint final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::IpcEndpoint;

    static lib::Result<lib::RefPtr<Endpoint>> create() { return create_object<Endpoint>(); }

    // With the IPC lock held.
    ipc::WaiterQueue& senders_locked() { return m_senders; }
    ipc::WaiterQueue& receivers_locked() { return m_receivers; }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    Endpoint() : KernelObject(CAP_TYPE) {}

    // Never non-empty on destruction: a blocked thread's syscall holds a reference.
    ipc::WaiterQueue m_senders;
    ipc::WaiterQueue m_receivers;
};

} // namespace kernel::object
