#include "kernel/object/endpoint.h"

#include <initializer_list>
#include <utility>

#include "kernel/cap/cnode.h"
#include "kernel/cap/derivation.h"
#include "kernel/syscall/message_registers.h"

namespace kernel::ipc {

namespace {
constinit SchedulerHooks* g_hooks = nullptr;
} // namespace

void install_scheduler_hooks(SchedulerHooks& hooks) { g_hooks = &hooks; }

} // namespace kernel::ipc

namespace kernel::object {

using ipc::IpcWaiter;
using ipc::WaiterQueue;
using ipc::WaiterState;
using mnos::CapSlot;
using mnos::Error;
using mnos::Rights;

namespace {

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
lib::Result<void> deliver_locked(IpcWaiter& sender, IpcWaiter& receiver, uint64_t badge) {
    const mnos::IpcMessage& in = sender.message;
    CapSlot landed = CapSlot::none();
    Rights landed_rights = Rights::None;
    if (!in.transfer.is_none()) {
        if (!sender.cnode || !receiver.cnode)
            return lib::fail(Error::InvalidArgument);
        // A receiver that named no window accepts no capability.
        if (receiver.receive_window.is_none())
            return lib::fail(Error::NoSlot);
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
    out.badge = badge;
    return {};
}

// After `self` was queued or left waiting for a reply: block, then report how it ended. No lock
// to read the outcome: the partner wrote it under the endpoint lock before it woke us, and the
// wake (the thread's block_lock, a run queue's lock) orders that write before our return;
// nobody touches a completed waiter again. `partner`: a waiter this operation completed and
// still owes its wake, which the fast path hands the CPU to (ipc_waiter.h).
lib::Result<IpcStatus> wait_for_partner(Endpoint& endpoint, IpcWaiter& self,
                                        IpcWaiter* partner = nullptr) {
    self.blocked_on = &endpoint;
    if (partner)
        ipc::g_hooks->block_current_handing_off(self, *partner);
    else
        ipc::g_hooks->block_current(self);
    self.blocked_on = nullptr;
    switch (self.state) {
    case WaiterState::Done: self.state = WaiterState::Idle; return IpcStatus::Completed;
    case WaiterState::Failed: self.state = WaiterState::Idle; return lib::fail(self.error);
    default: return IpcStatus::Blocked; // only with hooks that do not really block
    }
}

// The fast path (docs/benchmarks.md) serves messages in registers only: one that carries a
// capability takes the general path, whose wakes go through the run queue.
bool may_hand_off(const mnos::IpcMessage& sent) { return sent.transfer.is_none(); }

// A partner completed but not yet woken, for an operation that decides only later whether it
// blocks (and hands the CPU to the partner) or not: then the wake happens here, after every
// lock the operation took has been released (declared before them).
class OwedWake {
public:
    explicit OwedWake(IpcWaiter* partner) : m_partner(partner) {}
    OwedWake(const OwedWake&) = delete;
    OwedWake& operator=(const OwedWake&) = delete;
    ~OwedWake() {
        if (m_partner)
            ipc::g_hooks->wake(*m_partner);
    }
    IpcWaiter* take() { return std::exchange(m_partner, nullptr); }

private:
    IpcWaiter* m_partner;
};

} // namespace

// The partners an operation completed, woken once it has released the endpoint lock: a partner
// woken under the lock would start, on its own CPU, by spinning on the lock its waker still
// holds. Until woken a partner stays blocked in wait_for_partner, so its waiter stays valid;
// its queue_node is free (it was taken off any endpoint queue), so it carries it here.
class Endpoint::PendingWakes {
public:
    PendingWakes() = default;
    PendingWakes(const PendingWakes&) = delete;
    PendingWakes& operator=(const PendingWakes&) = delete;
    // Declared before the lock guard, so this runs after the guard has released the lock.
    ~PendingWakes() {
        while (IpcWaiter* waiter = m_waiters.pop_front())
            ipc::g_hooks->wake(*waiter);
    }
    void complete(IpcWaiter& waiter) {
        waiter.state = WaiterState::Done;
        m_waiters.push_back(waiter);
    }
    void fail(IpcWaiter& waiter, Error error) {
        waiter.state = WaiterState::Failed;
        waiter.error = error;
        m_waiters.push_back(waiter);
    }

private:
    WaiterQueue m_waiters;
};

lib::Result<IpcStatus> Endpoint::send_or_call(IpcWaiter& self, bool is_call) {
    if (self.is_blocked())
        return lib::fail(Error::Busy);
    TRY(check_transfer(self));
    self.called = is_call ? this : nullptr;
    IpcWaiter* hand_off = nullptr;
    {
        PendingWakes wakes;
        Guard guard(m_lock);
        if (m_closed) {
            self.called = nullptr;
            return lib::fail(Error::PeerGone);
        }
        if (IpcWaiter* receiver = m_receivers.front()) {
            // The receiver stays queued if delivery fails: the failure is the sender's.
            TRY(deliver_locked(self, *receiver, self.badge));
            m_receivers.remove(*receiver);
            receiver->queued_on = nullptr;
            if (!is_call) {
                wakes.complete(*receiver);
                self.state = WaiterState::Idle;
                return IpcStatus::Completed;
            }
            await_reply_locked(self, *receiver);
            if (may_hand_off(self.message)) {
                // A call always blocks for its reply: the receiver runs next, on this CPU if
                // the scheduler can (block_current_handing_off).
                receiver->state = WaiterState::Done;
                hand_off = receiver;
            } else {
                wakes.complete(*receiver);
            }
        } else {
            enqueue_locked(m_senders, self,
                           is_call ? WaiterState::CallBlocked : WaiterState::SendBlocked);
        }
    }
    return wait_for_partner(*this, self, hand_off);
}

bool Endpoint::receive_locked(IpcWaiter& self, PendingWakes& wakes) {
    while (IpcWaiter* sender = m_senders.pop_front()) {
        sender->queued_on = nullptr;
        if (auto delivered = deliver_locked(*sender, self, sender->badge); !delivered) {
            // The sender's message cannot be taken as it is: its send fails, we try the next.
            wakes.fail(*sender, delivered.error());
            continue;
        }
        if (sender->state == WaiterState::CallBlocked)
            await_reply_locked(*sender, self); // stays blocked until our reply
        else
            wakes.complete(*sender);
        self.state = WaiterState::Idle;
        return true;
    }
    enqueue_locked(m_receivers, self, WaiterState::ReceiveBlocked);
    return false;
}

lib::Result<IpcStatus> Endpoint::send(IpcWaiter& self) { return send_or_call(self, false); }

lib::Result<IpcStatus> Endpoint::call(IpcWaiter& self) { return send_or_call(self, true); }

lib::Result<IpcStatus> Endpoint::receive(IpcWaiter& self) { return receive_owing(self, nullptr); }

lib::Result<IpcStatus> Endpoint::receive_owing(IpcWaiter& self, IpcWaiter* owed_partner) {
    OwedWake owed(owed_partner); // woken on every return that does not hand the CPU to it
    if (self.is_blocked())
        return lib::fail(Error::Busy);
    if (Endpoint* via = self.reply_via) {
        // A reply link whose caller has gone is stale: drop it. One whose caller waits is owed.
        bool still_owed;
        {
            Guard guard(via->m_lock);
            still_owed = self.reply_to != nullptr;
        }
        if (still_owed)
            return lib::fail(Error::Busy);
        self.reply_via = nullptr;
        via->release();
    }
    {
        PendingWakes wakes;
        Guard guard(m_lock);
        if (m_closed)
            return lib::fail(Error::PeerGone);
        if (receive_locked(self, wakes))
            return IpcStatus::Completed;
    }
    return wait_for_partner(*this, self, owed.take());
}

lib::Result<IpcWaiter*> Endpoint::answer(IpcWaiter& self) {
    Endpoint* via = self.reply_via;
    if (!via)
        return lib::fail(Error::NotFound);
    IpcWaiter* caller;
    {
        Guard guard(via->m_lock);
        caller = self.reply_to;
        if (caller) {
            // On a transfer error the pair stays as it is: the reply can be tried again.
            TRY(deliver_locked(self, *caller, 0));
            self.reply_to = nullptr;
            caller->replier = nullptr;
            caller->state = WaiterState::Done;
        }
    }
    // Released after the lock: this may be the endpoint's last reference.
    self.reply_via = nullptr;
    via->release();
    return caller;
}

lib::Result<void> Endpoint::reply(IpcWaiter& self) {
    IpcWaiter* caller = TRY(answer(self));
    if (!caller)
        return lib::fail(Error::PeerGone);
    ipc::g_hooks->wake(*caller);
    return {};
}

lib::Result<IpcStatus> Endpoint::reply_and_receive(IpcWaiter& self) {
    if (self.is_blocked())
        return lib::fail(Error::Busy);
    IpcWaiter* caller = nullptr;
    if (self.reply_via) {
        caller = TRY(answer(self)); // null: the caller has gone, and we just receive
        if (caller && !may_hand_off(self.message))
            ipc::g_hooks->wake(*std::exchange(caller, nullptr));
    }
    // The caller's wake is owed until the receive knows whether it blocks: if it does, the
    // caller runs next (the fast path); if a sender was queued, the caller is woken normally.
    return receive_owing(self, caller);
}

lib::Result<IpcStatus> Endpoint::reply_and_receive_fast(IpcWaiter& self) {
    if (self.is_blocked() || self.reply_via != this || !may_hand_off(self.message))
        return reply_and_receive(self);
    IpcWaiter* caller;
    {
        Guard guard(m_lock);
        caller = waiting_caller_locked(self);
        if (caller) {
            // A message without a capability is only copied: delivery cannot fail.
            (void)deliver_locked(self, *caller, 0);
            reply_and_enqueue_locked(self, *caller);
        }
    }
    if (!caller) // not the fast path's case, and nothing changed
        return reply_and_receive(self);
    // The reference reply_via held; the syscall invoking this endpoint holds another.
    release();
    return wait_for_partner(*this, self, caller);
}

void Endpoint::cancel(IpcWaiter& self) {
    if (Endpoint* queue = self.queued_on) {
        Guard guard(queue->m_lock);
        if (self.queued_on == queue) {
            switch (self.state) {
            case WaiterState::SendBlocked:
            case WaiterState::CallBlocked: queue->m_senders.remove(self); break;
            case WaiterState::ReceiveBlocked: queue->m_receivers.remove(self); break;
            default: break;
            }
            self.queued_on = nullptr;
            self.state = WaiterState::Idle;
        }
    }
    if (Endpoint* called = self.called; called && self.state == WaiterState::ReplyBlocked) {
        Guard guard(called->m_lock);
        if (self.replier)
            self.replier->reply_to = nullptr;
        self.replier = nullptr;
        self.state = WaiterState::Idle;
    }
    self.called = nullptr;
    if (Endpoint* via = std::exchange(self.reply_via, nullptr)) {
        {
            PendingWakes wakes;
            Guard guard(via->m_lock);
            if (IpcWaiter* caller = std::exchange(self.reply_to, nullptr)) {
                caller->replier = nullptr;
                wakes.fail(*caller, Error::PeerGone);
            }
        }
        via->release();
    }
}

bool Endpoint::abandon(IpcWaiter& self) {
    Endpoint* endpoint = self.blocked_on;
    if (!endpoint)
        return false;
    Guard guard(endpoint->m_lock);
    switch (self.state) {
    case WaiterState::SendBlocked:
    case WaiterState::CallBlocked: endpoint->m_senders.remove(self); break;
    case WaiterState::ReceiveBlocked: endpoint->m_receivers.remove(self); break;
    case WaiterState::ReplyBlocked: // guarded by `called`, which is this endpoint
        if (self.replier)
            self.replier->reply_to = nullptr;
        self.replier = nullptr;
        break;
    default: return true; // Done or Failed: completed by a partner, whose wake is owed
    }
    self.queued_on = nullptr;
    self.state = WaiterState::Failed;
    self.error = Error::Busy; // never seen: the thread is ending
    return false;
}

void Endpoint::last_capability_gone() {
    PendingWakes wakes;
    Guard guard(m_lock);
    m_closed = true;
    for (WaiterQueue* queue : {&m_senders, &m_receivers})
        while (IpcWaiter* waiter = queue->pop_front()) {
            waiter->queued_on = nullptr;
            wakes.fail(*waiter, Error::PeerGone);
        }
}

size_t Endpoint::queued_senders() const {
    Guard guard(m_lock);
    return m_senders.size();
}

size_t Endpoint::queued_receivers() const {
    Guard guard(m_lock);
    return m_receivers.size();
}

// ---- the invocations

namespace {

// The kernel's hooks really block, so an operation that returns has completed.
lib::Result<void> completed(lib::Result<IpcStatus> status) {
    if (!status)
        return lib::fail(status.error());
    if (*status != IpcStatus::Completed)
        return lib::fail(Error::Busy);
    return {};
}

// Loads the outgoing message and the receive window from the registers into the waiter.
lib::Result<void> load(syscall::Invocation& call, bool sends) {
    IpcWaiter& self = call.ipc;
    self.receive_window = TRY(syscall::receive_window(call.registers));
    if (sends)
        TRY(syscall::read_message(call.registers, self.message));
    else
        self.message = {};
    self.badge = call.target.badge;
    return {};
}

} // namespace

// (endpoint, message) -> 0
lib::Result<uint64_t> Endpoint::invoke(syscall::Op<mnos::Syscall::Send>, syscall::Invocation& call) {
    TRY(load(call, true));
    TRY(completed(send(call.ipc)));
    return 0;
}

// (endpoint; R13 window) -> the sender's badge; the message in the registers
lib::Result<uint64_t> Endpoint::invoke(syscall::Op<mnos::Syscall::Recv>, syscall::Invocation& call) {
    TRY(load(call, false));
    TRY(completed(receive(call.ipc)));
    syscall::write_message(call.registers, call.ipc.message);
    return call.ipc.message.badge;
}

// (endpoint, message; R13 window for the reply's capability) -> 0; the reply in the registers
lib::Result<uint64_t> Endpoint::invoke(syscall::Op<mnos::Syscall::Call>, syscall::Invocation& call) {
    TRY(load(call, true));
    TRY(completed(this->call(call.ipc)));
    syscall::write_message(call.registers, call.ipc.message);
    return 0;
}

// (endpoint, reply message; R13 window) -> the next sender's badge; its message in the registers
lib::Result<uint64_t> Endpoint::invoke(syscall::Op<mnos::Syscall::ReplyRecv>,
                                       syscall::Invocation& call) {
    TRY(load(call, true));
    TRY(completed(reply_and_receive_fast(call.ipc)));
    syscall::write_message(call.registers, call.ipc.message);
    return call.ipc.message.badge;
}

// (endpoint, badge, rights) -> the slot of a badged copy in the caller's CNode; GRANT
lib::Result<uint64_t> Endpoint::invoke(syscall::Op<mnos::Syscall::Mint>, syscall::Invocation& call) {
    mnos::Rights rights = TRY(syscall::rights_argument(call.registers.arg2()));
    CapSlot slot = TRY(cap::mint(call.cnode, call.slot, call.registers.arg1(), rights));
    return slot.index();
}

} // namespace kernel::object
