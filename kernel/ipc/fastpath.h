// The IPC fast path (docs/benchmarks.md, "The IPC fast path"): Call and ReplyRecv in their
// common case, taken by syscall_dispatch before anything else. The message is in registers and
// carries no capability, and the partner is already waiting, blocked, on this CPU. Then the
// capability is looked up with the call's type and rights, the message is delivered and the
// partner completed in one section under the endpoint lock, the caller marks itself Blocked in
// the same section, and the CPU goes straight to the partner: no invocation layers, no run
// queue, no scheduler pick, no lock round trip that the general path needs only for its other
// cases.
//
// In every other case it changes nothing and says so; the general path then runs the call and
// reports whatever error there is, so both paths fail the same way.
#pragma once

#include "kernel/object/thread.h"
#include "kernel/syscall/syscall_frame.h"

namespace kernel::ipc {

// With interrupts off, from syscall_dispatch, for the current thread `self`: true when the
// call in `frame` was the fast path's and is done (RAX and the message registers written),
// false when nothing happened.
bool fast_call(object::Thread& self, syscall::SyscallFrame& frame);
bool fast_reply_recv(object::Thread& self, syscall::SyscallFrame& frame);

} // namespace kernel::ipc
