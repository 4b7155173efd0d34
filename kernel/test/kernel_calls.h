// The IPC and IRQ calls for kernel threads of the self-tests, made through the very path a
// Ring 3 syscall takes (syscall::invoke: decode, lookup, the object's method): the registers a
// Ring 3 caller would set are filled in a SyscallFrame instead. So test=ipc exercises the
// shipped invocation code, not a second layer beside it.
#pragma once

#include "abi/ipc.h"
#include "kernel/object/thread.h"
#include "lib/result.h"

namespace kernel::test {

lib::Result<void> ipc_send(object::Thread& self, mnos::CapSlot endpoint,
                           const mnos::IpcMessage& message);
// A capability in the message lands in `window` (none: refused).
lib::Result<void> ipc_receive(object::Thread& self, mnos::CapSlot endpoint, mnos::CapSlot window,
                              mnos::IpcMessage& received);
lib::Result<void> ipc_call(object::Thread& self, mnos::CapSlot endpoint, mnos::CapSlot window,
                           mnos::IpcMessage& message);
lib::Result<void> ipc_reply(object::Thread& self, const mnos::IpcMessage& message);
lib::Result<void> ipc_reply_receive(object::Thread& self, mnos::CapSlot endpoint,
                                    mnos::CapSlot window, mnos::IpcMessage& message);
lib::Result<void> irq_wait(object::Thread& self, mnos::CapSlot line);

} // namespace kernel::test
