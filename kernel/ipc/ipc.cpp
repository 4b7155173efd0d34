#include "kernel/ipc/ipc.h"

#include <utility>

#include "kernel/cap/cnode.h"
#include "kernel/cap/derivation.h"
#include "kernel/sync/spinlock.h"

namespace kernel::ipc {

using mnos::CapSlot;
using mnos::Error;
using mnos::Rights;
using object::Endpoint;

namespace {

constinit IrqSpinlock g_ipc_lock;
constinit SchedulerHooks* g_hooks = nullptr;

// A transfer the sender could never make fails before the sender queues, so it is not left
// blocked on a message nobody can take. The real check is repeated at delivery (the capability
// may be dropped or revoked while the sender waits).
lib::Result<void> check_transfer(const IpcWaiter& sender) {
    const mnos::IpcMessage& message = sender.message;
    if (message.transfer.is_none())
        return {};
    if (!sender.cnode || !mnos::rights_valid(uint32_t(message.transfer_rights)))
        return lib::fail(Error::InvalidArgument);
    cap::CapInfo info = TRY(sender.cnode->inspect(message.transfer));
    if (!mnos::has_rights(info.rights, Rights::Grant) ||
        !mnos::is_subset(message.transfer_rights, info.rights))
        return lib::fail(Error::MissingRights);
    return {};
}

// Copies the sender's message into the receiver's buffer, transferring its capability first.
// All or nothing: on an error the receiver's buffer and both CNodes are unchanged.
lib::Result<void> deliver_locked(IpcWaiter& sender, IpcWaiter& receiver) {
    const mnos::IpcMessage& in = sender.message;
    CapSlot landed = CapSlot::none();
    Rights landed_rights = Rights::None;
    if (!in.transfer.is_none()) {
        if (!sender.cnode || !receiver.cnode)
            return lib::fail(Error::InvalidArgument);
        // A receiver that named no window accepts no capability: delegate reports NoSlot.
        landed = TRY(cap::delegate(*sender.cnode, in.transfer, *receiver.cnode,
                                   receiver.receive_window, in.transfer_rights));
        landed_rights = in.transfer_rights;
    }
    mnos::IpcMessage& out = receiver.message;
    out.label = in.label;
    for (uint32_t i = 0; i < mnos::IPC_MESSAGE_WORDS; ++i)
        out.words[i] = in.words[i];
    out.transfer = landed;
    out.transfer_rights = landed_rights;
    return {};
}

// The partners an operation completed, woken once it has released the IPC lock: a partner woken
// under the lock would start, on its own CPU, by spinning on the lock its waker still holds.
// Until woken a partner stays blocked in wait_for_partner, so its waiter stays valid; its
// queue_node is free (it was taken off any endpoint queue), so it carries it here.
class PendingWakes {
public:
    PendingWakes() = default;
    PendingWakes(const PendingWakes&) = delete;
    PendingWakes& operator=(const PendingWakes&) = delete;
    // Declared before the lock guard, so this runs after the guard has released the lock.
    ~PendingWakes() {
        while (IpcWaiter* waiter = m_waiters.pop_front())
            g_hooks->wake(*waiter);
    }
    void add(IpcWaiter& waiter) { m_waiters.push_back(waiter); }

private:
    WaiterQueue m_waiters;
};

void complete_locked(IpcWaiter& waiter, PendingWakes& wakes) {
    waiter.state = WaiterState::Done;
    wakes.add(waiter);
}

void fail_locked(IpcWaiter& waiter, Error error, PendingWakes& wakes) {
    waiter.state = WaiterState::Failed;
    waiter.error = error;
    wakes.add(waiter);
}

// A receive has taken `caller`'s message: the caller now waits for `receiver`'s reply.
void await_reply_locked(IpcWaiter& caller, IpcWaiter& receiver) {
    caller.state = WaiterState::ReplyBlocked;
    caller.replier = &receiver;
    receiver.reply_to = &caller;
}

void enqueue_locked(WaiterQueue& queue, Endpoint& endpoint, IpcWaiter& self, WaiterState state) {
    self.state = state;
    self.queued_on = &endpoint;
    queue.push_back(self);
}

// After `self` was queued or left waiting for a reply: block, then report how it ended. No lock
// to read the outcome: the partner wrote it under the IPC lock before it woke us, and the wake
// (the thread's block_lock, a run queue's lock) orders that write before our return; nobody
// touches a completed waiter again.
lib::Result<IpcStatus> wait_for_partner(IpcWaiter& self) {
    g_hooks->block_current(self);
    switch (self.state) {
    case WaiterState::Done: self.state = WaiterState::Idle; return IpcStatus::Completed;
    case WaiterState::Failed: self.state = WaiterState::Idle; return lib::fail(self.error);
    default: return IpcStatus::Blocked; // only with hooks that do not really block
    }
}

// send() and call(), which differ only in what the sender does after delivery.
lib::Result<IpcStatus> send_or_call(Endpoint& endpoint, IpcWaiter& self, bool is_call) {
    if (self.is_blocked())
        return lib::fail(Error::Busy);
    TRY(check_transfer(self));
    {
        PendingWakes wakes;
        Guard guard(g_ipc_lock);
        if (IpcWaiter* receiver = endpoint.receivers_locked().front()) {
            // The receiver stays queued if delivery fails: the failure is the sender's.
            TRY(deliver_locked(self, *receiver));
            endpoint.receivers_locked().remove(*receiver);
            receiver->queued_on = nullptr;
            if (is_call)
                await_reply_locked(self, *receiver);
            complete_locked(*receiver, wakes);
            if (!is_call) {
                self.state = WaiterState::Idle;
                return IpcStatus::Completed;
            }
        } else {
            enqueue_locked(endpoint.senders_locked(), endpoint, self,
                           is_call ? WaiterState::CallBlocked : WaiterState::SendBlocked);
        }
    }
    return wait_for_partner(self);
}

lib::Result<void> reply_locked(IpcWaiter& self, PendingWakes& wakes) {
    IpcWaiter* caller = self.reply_to;
    if (!caller)
        return lib::fail(Error::NotFound);
    TRY(deliver_locked(self, *caller));
    self.reply_to = nullptr;
    caller->replier = nullptr;
    complete_locked(*caller, wakes);
    return {};
}

// receive() with the IPC lock held (so reply_and_receive can reply and receive under one
// acquisition). Returns whether a message arrived; otherwise `self` is queued.
bool receive_locked(Endpoint& endpoint, IpcWaiter& self, PendingWakes& wakes) {
    WaiterQueue& senders = endpoint.senders_locked();
    while (IpcWaiter* sender = senders.pop_front()) {
        sender->queued_on = nullptr;
        if (auto delivered = deliver_locked(*sender, self); !delivered) {
            // The sender's message cannot be taken as it is: its send fails, we try the next.
            fail_locked(*sender, delivered.error(), wakes);
            continue;
        }
        if (sender->state == WaiterState::CallBlocked)
            await_reply_locked(*sender, self); // stays blocked until our reply
        else
            complete_locked(*sender, wakes);
        self.state = WaiterState::Idle;
        return true;
    }
    enqueue_locked(endpoint.receivers_locked(), endpoint, self, WaiterState::ReceiveBlocked);
    return false;
}

} // namespace

void install_scheduler_hooks(SchedulerHooks& hooks) { g_hooks = &hooks; }

lib::Result<IpcStatus> send(Endpoint& endpoint, IpcWaiter& self) {
    return send_or_call(endpoint, self, false);
}

lib::Result<IpcStatus> call(Endpoint& endpoint, IpcWaiter& self) {
    return send_or_call(endpoint, self, true);
}

lib::Result<IpcStatus> receive(Endpoint& endpoint, IpcWaiter& self) {
    if (self.is_blocked() || self.reply_to)
        return lib::fail(Error::Busy);
    {
        PendingWakes wakes;
        Guard guard(g_ipc_lock);
        if (receive_locked(endpoint, self, wakes))
            return IpcStatus::Completed;
    }
    return wait_for_partner(self);
}

lib::Result<void> reply(IpcWaiter& self) {
    PendingWakes wakes;
    Guard guard(g_ipc_lock);
    return reply_locked(self, wakes);
}

lib::Result<IpcStatus> reply_and_receive(Endpoint& endpoint, IpcWaiter& self) {
    if (self.is_blocked())
        return lib::fail(Error::Busy);
    {
        PendingWakes wakes;
        Guard guard(g_ipc_lock);
        if (self.reply_to)
            TRY(reply_locked(self, wakes));
        if (receive_locked(endpoint, self, wakes))
            return IpcStatus::Completed;
    }
    return wait_for_partner(self);
}

void cancel(IpcWaiter& self) {
    PendingWakes wakes;
    Guard guard(g_ipc_lock);
    switch (self.state) {
    case WaiterState::SendBlocked:
    case WaiterState::CallBlocked: self.queued_on->senders_locked().remove(self); break;
    case WaiterState::ReceiveBlocked: self.queued_on->receivers_locked().remove(self); break;
    case WaiterState::ReplyBlocked: self.replier->reply_to = nullptr; break;
    default: break;
    }
    self.queued_on = nullptr;
    self.replier = nullptr;
    self.state = WaiterState::Idle;
    if (IpcWaiter* caller = std::exchange(self.reply_to, nullptr)) {
        caller->replier = nullptr;
        fail_locked(*caller, Error::NotFound, wakes);
    }
}

size_t queued_senders(Endpoint& endpoint) {
    Guard guard(g_ipc_lock);
    return endpoint.senders_locked().size();
}

size_t queued_receivers(Endpoint& endpoint) {
    Guard guard(g_ipc_lock);
    return endpoint.receivers_locked().size();
}

} // namespace kernel::ipc
