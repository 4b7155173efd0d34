// IpcWaiter: a thread's part in synchronous IPC, embedded in what will be the Thread. It holds
// the message buffer (the registers of the syscall, copied in on entry and out on return), and
// the state that lets a partner complete the operation while the thread is blocked: the kernel
// copies a message straight from one waiter's buffer into the other's and never buffers it
// anywhere else.
//
// The fields below `badge` belong to the endpoint protocol (kernel/object/endpoint.h), each
// guarded by the lock of the endpoint named beside it.
#pragma once

#include "abi/error.h"
#include "abi/ipc.h"
#include "lib/intrusive_list.h"

namespace kernel::cap {
class CNode;
}
namespace kernel::object {
class Endpoint;
}

namespace kernel::ipc {

enum class WaiterState : uint8_t {
    Idle,           // in no IPC operation
    SendBlocked,    // queued on an endpoint as a sender (send)
    CallBlocked,    // queued on an endpoint as a sender that will wait for a reply (call)
    ReceiveBlocked, // queued on an endpoint as a receiver
    ReplyBlocked,   // its call was received; waiting for the receiver's reply
    Done,           // completed by a partner; `message` holds what arrived, if anything
    Failed,         // failed while blocked; `error` says why
};

struct IpcWaiter {
    IpcWaiter() = default;
    IpcWaiter(const IpcWaiter&) = delete;
    IpcWaiter& operator=(const IpcWaiter&) = delete;

    bool is_blocked() const {
        return state != WaiterState::Idle && state != WaiterState::Done &&
               state != WaiterState::Failed;
    }

    // Set by the thread before an operation.
    mnos::IpcMessage message;                           // out: what to send; in: what arrived
    mnos::CapSlot receive_window = mnos::CapSlot::none(); // where a capability may land
    cap::CNode* cnode = nullptr;                        // the thread's capabilities
    uint64_t badge = 0; // of the endpoint capability this send or call goes through

    // The protocol's bookkeeping. While the waiter is queued (Send/Call/ReceiveBlocked) these
    // are guarded by the lock of `queued_on`; while ReplyBlocked, by the lock of `called`.
    WaiterState state = WaiterState::Idle;
    mnos::Error error = mnos::Error::InvalidArgument; // meaningful when state == Failed
    object::Endpoint* queued_on = nullptr;            // while Send/Call/ReceiveBlocked
    // The endpoint this waiter last blocked through (set and read by its own thread only): the
    // lock abandon() takes.
    object::Endpoint* blocked_on = nullptr;
    object::Endpoint* called = nullptr;               // a caller: the endpoint its call went to
    IpcWaiter* replier = nullptr;  // while ReplyBlocked: the thread that owes the reply
    // A server that received a call: the caller it owes the reply (null once that caller has
    // gone), guarded by the lock of `reply_via`, the endpoint the call came through, on which
    // the waiter holds a reference until it replies.
    IpcWaiter* reply_to = nullptr;
    object::Endpoint* reply_via = nullptr;
    lib::IntrusiveListNode queue_node;
};

using WaiterQueue = lib::IntrusiveList<IpcWaiter, &IpcWaiter::queue_node>;

// Blocking and waking, implemented by the scheduler (and by a fake in the host tests).
class SchedulerHooks {
public:
    // Blocks the current thread, whose waiter this is, until wake(waiter). Called without any
    // IPC lock held. A wake() that arrives before the block (a partner on another CPU completed
    // the operation in between) must make this return at once, e.g. through a wake-up pending
    // flag checked under the scheduler's lock.
    virtual void block_current(IpcWaiter& waiter) = 0;
    // Makes the waiter's thread runnable. Called once the IPC lock is released (the operation
    // that completed the waiter marked it Done or Failed under the lock); it must never call back
    // into IPC.
    virtual void wake(IpcWaiter& waiter) = 0;
    // The fast path's hand-off (docs/benchmarks.md): blocks the current thread, whose waiter
    // `self` is, and owes `partner` (an operation just completed it) its wake. The kernel may run
    // the partner's thread at once on this CPU, without a run queue or a scheduler pick; by
    // default, and whenever that is not possible, this is wake(partner), then block_current().
    virtual void block_current_handing_off(IpcWaiter& self, IpcWaiter& partner) {
        wake(partner);
        block_current(self);
    }

protected:
    ~SchedulerHooks() = default;
};

} // namespace kernel::ipc

namespace kernel::ipc {
// The scheduler installs its hooks once, before the first IPC (kernel/object/endpoint.cpp).
void install_scheduler_hooks(SchedulerHooks& hooks);
} // namespace kernel::ipc
