// The IPC and IRQ-wait operations as the syscall layer calls them: slot numbers in, a message
// in and out. Each looks its object up in the calling thread's CNode (WRITE on the endpoint for
// send and call, READ for receive and for waiting on an IRQ line), holds that reference until
// the operation is over (also while blocked: a concurrent drop or revoke cannot free the
// object under it) and copies the message out only on success, so a failed operation leaves
// the caller's message and every CNode as they were.
//
// `self` must be the calling thread and belong to a process (InvalidArgument otherwise).
// `window` is where a capability carried by the incoming message may land (none: accept no
// capability, and a sender that tries fails with NoSlot).
#pragma once

#include "abi/ipc.h"
#include "kernel/sched/thread.h"
#include "lib/result.h"

namespace kernel::ipc {

lib::Result<void> ipc_send(sched::Thread& self, mnos::CapSlot endpoint,
                           const mnos::IpcMessage& message);
lib::Result<void> ipc_receive(sched::Thread& self, mnos::CapSlot endpoint, mnos::CapSlot window,
                              mnos::IpcMessage& received);
// `message`: in, the request; out, the reply.
lib::Result<void> ipc_call(sched::Thread& self, mnos::CapSlot endpoint, mnos::CapSlot window,
                           mnos::IpcMessage& message);
lib::Result<void> ipc_reply(sched::Thread& self, const mnos::IpcMessage& message);
// `message`: in, the reply to the last caller (ignored when none is owed); out, the next request.
lib::Result<void> ipc_reply_receive(sched::Thread& self, mnos::CapSlot endpoint,
                                    mnos::CapSlot window, mnos::IpcMessage& message);

// Acknowledges the line's previous interrupt and waits for the next.
lib::Result<void> irq_wait(sched::Thread& self, mnos::CapSlot line);

} // namespace kernel::ipc
