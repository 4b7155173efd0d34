// Endpoint: a rendezvous point for synchronous IPC. It holds no messages, only two FIFO queues
// of blocked threads: senders waiting for a receiver and receivers waiting for a sender (at
// most one of them is non-empty at any time).
//
// A rendezvous: whichever side arrives first is queued on the endpoint and blocks; the partner
// that arrives later finds it at the head of the queue, copies the message directly between
// the two waiters' buffers, and wakes it. Nothing is buffered in the kernel.
//
// call() is send plus wait for the answer: when its message is received, the receiver's waiter
// remembers the caller (reply_to) and the caller stays blocked until reply() copies the answer
// back. reply_and_receive() is a server's loop step: answer the last caller, take the next.
// A caller whose server ends before replying fails with PeerGone; a server whose caller has
// gone gets PeerGone from reply() (reply_and_receive() just goes on to receive).
//
// A message may carry a capability (IpcMessage::transfer): it is copied, as a child of the
// sender's capability, into the receive window the receiver named, exactly like cap::delegate()
// (the sender's capability needs GRANT; the rights can only narrow). If it cannot be
// transferred (no GRANT, no window, window occupied, ...) the send fails with that error, the
// receiver is left waiting as if nothing happened, and no part of the message is delivered.
// A reply can carry one back the same way, into the window the caller named.
//
// Badges: a capability minted from an endpoint capability (Mint) carries a badge, and every
// message sent through it arrives with that badge (IpcMessage::badge), so a server with one
// endpoint tells its clients apart. Senders cannot choose or forge it.
//
// Rights: send and call need WRITE, receive READ, mint GRANT (the table in abi/syscall.h).
//
// Closing: when the endpoint's last capability goes, it closes for good (last_capability_gone).
//
// Locking: each endpoint has its own lock over its queues and over the waiters queued on it or
// paired through it (ipc_waiter.h says which field is under which endpoint's lock); IPC on one
// endpoint never waits for IPC on another. Lock order: endpoint lock -> derivation lock ->
// CNode lock (a transfer runs under all three, kernel/cap/cap_lock.h). The partners an
// operation completes are woken after it releases the lock, so no scheduler lock is ever taken
// under it. No operation holds two endpoint locks.
#pragma once

#include <cstddef>

#include "kernel/ipc/ipc_waiter.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_budget.h"
#include "kernel/sync/spinlock.h"
#include "kernel/syscall/invocation.h"

namespace kernel::ipc {
struct FastPath;
}

namespace kernel::object {

// What an operation did: completed, or (only with host-test hooks that do not block) left the
// caller waiting for a partner to complete it later (state Done or Failed).
enum class IpcStatus : uint8_t { Completed, Blocked };

class Endpoint final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::IpcEndpoint;

    // `charge` is what the endpoint cost its budget, refunded when it goes (none for the
    // kernel's own endpoints and the host tests').
    static lib::Result<lib::RefPtr<Endpoint>> create(BudgetCharge charge = {}) {
        return create_object<Endpoint>(std::move(charge));
    }

    // ---- the invocations (abi/syscall.h): the message in registers, then the protocol below
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Send>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Recv>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Call>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::ReplyRecv>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Mint>, syscall::Invocation&);

    // ---- the protocol. `self` is the calling thread's waiter, idle on entry.

    // Delivers self.message to the first queued receiver, or queues and waits for one. Busy
    // when `self` is already in an operation; transfer errors as described above.
    lib::Result<IpcStatus> send(ipc::IpcWaiter& self);
    // Takes the first queued sender's message into self.message, or queues and waits for one.
    // Busy while `self` still owes a reply to an earlier caller.
    lib::Result<IpcStatus> receive(ipc::IpcWaiter& self);
    // Sends self.message and waits for the reply, which arrives in self.message (a capability in
    // it lands in self.receive_window). PeerGone if the server ends without replying.
    lib::Result<IpcStatus> call(ipc::IpcWaiter& self);
    // reply() if `self` owes one (a caller that has gone is skipped), then receive().
    lib::Result<IpcStatus> reply_and_receive(ipc::IpcWaiter& self);
    // reply_and_receive() in its common case, the fast path's (docs/benchmarks.md): `self` owes
    // a reply to a caller that still waits, through this endpoint; the reply carries no
    // capability; no sender is queued, so `self` blocks in its receive and the caller runs
    // next. Reply and receive are then one section under the lock. Returns reply_and_receive(),
    // which it falls back to in every other case.
    lib::Result<IpcStatus> reply_and_receive_fast(ipc::IpcWaiter& self);

    // Answers the caller `self` last received from with self.message, and wakes it. Never
    // blocks. NotFound if `self` owes no reply, PeerGone if that caller has gone; transfer
    // errors leave the caller waiting, so the reply can be retried.
    static lib::Result<void> reply(ipc::IpcWaiter& self);
    // Takes `self` out of whatever IPC it is in (its thread is ending): off an endpoint queue,
    // out of a pending call; a caller it owes a reply fails with PeerGone and is woken.
    static void cancel(ipc::IpcWaiter& self);

    // After `self`'s blocking wait was interrupted (its thread is being killed): takes it out
    // of the endpoint it blocked on, failing its operation, unless a partner completed the
    // operation first, in which case that partner's wake is still owed: returns whether it is.
    static bool abandon(ipc::IpcWaiter& self);

    // The last capability is gone (kernel_object.h): nobody can receive what the queued senders
    // wait to deliver, or send what the queued receivers wait for. Every one fails with
    // PeerGone, and so does any operation a syscall already in flight starts later. This is how
    // the clients of a service that crashed get an error and not a hang: init revokes the
    // capabilities it handed out for the service, and drops its own.
    void last_capability_gone() override;

    // Queue lengths, for tests and diagnostics.
    size_t queued_senders() const;
    size_t queued_receivers() const;

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    // The syscall fast path (kernel/ipc/fastpath.cpp) runs the sections below under m_lock,
    // with its partner's claim between the check and the change.
    friend struct ipc::FastPath;
    explicit Endpoint(BudgetCharge charge) : KernelObject(CAP_TYPE), m_charge(std::move(charge)) {}

    BudgetCharge m_charge;

    lib::Result<IpcStatus> send_or_call(ipc::IpcWaiter& self, bool is_call);
    // receive() that owes `owed` (a caller just answered, or null) its wake: handed the CPU if
    // the receive blocks, woken otherwise.
    lib::Result<IpcStatus> receive_owing(ipc::IpcWaiter& self, ipc::IpcWaiter* owed);
    // reply()'s delivery: the caller, completed but not woken, or null if it has gone.
    static lib::Result<ipc::IpcWaiter*> answer(ipc::IpcWaiter& self);
    // With m_lock held; see endpoint.cpp.
    class PendingWakes;
    bool receive_locked(ipc::IpcWaiter& self, PendingWakes& wakes) REQUIRES(m_lock);
    void await_reply_locked(ipc::IpcWaiter& caller, ipc::IpcWaiter& receiver) REQUIRES(m_lock);
    void enqueue_locked(ipc::WaiterQueue& queue, ipc::IpcWaiter& self, ipc::WaiterState state)
        REQUIRES(m_lock);
    // reply_and_receive_fast()'s section in two steps: the caller `self` answers, if the case
    // is the fast one (the caller still waits, no sender is queued), else null; then, with the
    // reply (no capability) delivered to it, the caller completed and `self` queued to receive.
    ipc::IpcWaiter* waiting_caller_locked(ipc::IpcWaiter& self) REQUIRES(m_lock);
    void reply_and_enqueue_locked(ipc::IpcWaiter& self, ipc::IpcWaiter& caller) REQUIRES(m_lock);
    // A call's fast case: the receiver waiting for it, or null; then, with the message (no
    // capability) delivered to it, the receiver completed and `self` waiting for its reply.
    ipc::IpcWaiter* waiting_receiver_locked() REQUIRES(m_lock);
    void call_and_await_locked(ipc::IpcWaiter& self, ipc::IpcWaiter& receiver) REQUIRES(m_lock);

    mutable IrqSpinlock m_lock{LockRank::Endpoint};
    // Never non-empty on destruction: a blocked thread's syscall holds a reference.
    ipc::WaiterQueue m_senders GUARDED_BY(m_lock);
    ipc::WaiterQueue m_receivers GUARDED_BY(m_lock);
    bool m_closed GUARDED_BY(m_lock) = false;
};

// The sections the fast path shares (kernel/ipc/fastpath.cpp), inline there as here.

// A receive has taken `caller`'s message: the caller now waits for `receiver`'s reply, and the
// receiver holds this endpoint (whose lock guards the pair) until it replies.
inline void Endpoint::await_reply_locked(ipc::IpcWaiter& caller, ipc::IpcWaiter& receiver) {
    caller.state = ipc::WaiterState::ReplyBlocked;
    caller.replier = &receiver;
    receiver.reply_to = &caller;
    add_ref();
    receiver.reply_via = this;
}

inline void Endpoint::enqueue_locked(ipc::WaiterQueue& queue, ipc::IpcWaiter& self, ipc::WaiterState state) {
    self.state = state;
    self.queued_on = this;
    queue.push_back(self);
}

inline ipc::IpcWaiter* Endpoint::waiting_caller_locked(ipc::IpcWaiter& self) {
    if (m_closed || !m_senders.empty())
        return nullptr;
    return self.reply_to;
}

inline void Endpoint::reply_and_enqueue_locked(ipc::IpcWaiter& self, ipc::IpcWaiter& caller) {
    // What answer() and receive_locked() do, in one section, once the reply is delivered.
    self.reply_to = nullptr;
    caller.replier = nullptr;
    caller.state = ipc::WaiterState::Done;
    self.reply_via = nullptr;
    enqueue_locked(m_receivers, self, ipc::WaiterState::ReceiveBlocked);
}

inline ipc::IpcWaiter* Endpoint::waiting_receiver_locked() { return m_closed ? nullptr : m_receivers.front(); }

inline void Endpoint::call_and_await_locked(ipc::IpcWaiter& self, ipc::IpcWaiter& receiver) {
    m_receivers.remove(receiver);
    receiver.queued_on = nullptr;
    self.called = this;
    await_reply_locked(self, receiver);
    receiver.state = ipc::WaiterState::Done;
}

} // namespace kernel::object
