// Synchronous IPC on endpoints: send, receive, call, reply and reply_and_receive.
//
// A rendezvous: whichever side arrives first is queued on the endpoint and blocks; the partner
// that arrives later finds it at the head of the queue, copies the message directly between
// the two waiters' buffers, and wakes it. Nothing is buffered in the kernel.
//
// call() is send plus wait for the answer: when its message is received, the receiver's waiter
// remembers the caller (reply_to) and the caller stays blocked until reply() copies the answer
// back. reply_and_receive() is a server's loop step: answer the last caller, take the next.
//
// A message may carry a capability (IpcMessage::transfer): it is copied, as a child of the
// sender's capability, into the receive window the receiver named, exactly like cap::delegate()
// (the sender's capability needs GRANT; the rights can only narrow). If it cannot be
// transferred (no GRANT, no window, window occupied, ...) the send fails with that error, the
// receiver is left waiting as if nothing happened, and no part of the message is delivered.
//
// The caller of each operation holds a reference to the endpoint for the whole operation (the
// syscall's lookup; READ on it for receive, WRITE for send and call) and owns `self`, the
// current thread's waiter. An operation that has to wait calls SchedulerHooks::block_current()
// and returns once a partner completed it (Completed, or the partner's error); with hooks that
// return before the wake (the host tests) it returns Blocked and the partner completes `self`
// later (state Done or Failed).
//
// Lock order: the IPC lock (one global lock over every endpoint and waiter) is taken before the
// capability lock (a transfer runs under both). The partners an operation completes are woken
// after it releases the IPC lock, so no scheduler lock is ever taken under it.
#pragma once

#include <cstddef>

#include "kernel/ipc/ipc_waiter.h"
#include "kernel/object/endpoint.h"
#include "lib/result.h"

namespace kernel::ipc {

enum class IpcStatus : uint8_t { Completed, Blocked };

// The scheduler installs its hooks once, before the first IPC.
void install_scheduler_hooks(SchedulerHooks& hooks);

// Delivers self.message to the first queued receiver, or queues and waits for one. Busy when
// `self` is already in an operation; transfer errors as described above.
lib::Result<IpcStatus> send(object::Endpoint& endpoint, IpcWaiter& self);

// Takes the first queued sender's message into self.message, or queues and waits for one.
// Busy while `self` still owes a reply to an earlier caller (reply, or use reply_and_receive).
lib::Result<IpcStatus> receive(object::Endpoint& endpoint, IpcWaiter& self);

// Sends self.message and waits for the reply, which arrives in self.message (a capability in
// it lands in self.receive_window).
lib::Result<IpcStatus> call(object::Endpoint& endpoint, IpcWaiter& self);

// Answers the caller `self` last received from with self.message, and wakes it. Never blocks.
// NotFound if `self` owes no reply (or the caller went away); transfer errors leave the caller
// waiting, so the reply can be retried.
lib::Result<void> reply(IpcWaiter& self);

// reply() if `self` owes one (its error stops here), then receive().
lib::Result<IpcStatus> reply_and_receive(object::Endpoint& endpoint, IpcWaiter& self);

// Takes `self` out of whatever IPC it is in (its thread is being killed): off an endpoint
// queue, out of a pending call; a caller it owes a reply fails with NotFound and is woken.
void cancel(IpcWaiter& self);

// Queue lengths, for tests and diagnostics.
size_t queued_senders(object::Endpoint& endpoint);
size_t queued_receivers(object::Endpoint& endpoint);

} // namespace kernel::ipc
