// The calls that name no object (Invokes::Nothing in abi/syscall.h): they act on the caller
// itself. Kept few on purpose; everything else is an invocation of a capability.
#pragma once

#include "kernel/syscall/invocation.h"

namespace kernel::syscall {

// (code): ends the calling process, every thread of it.
lib::Result<uint64_t> invoke(Op<mnos::Syscall::Exit>, Invocation&);
// (): ends the calling thread only; the process goes on while it has others.
lib::Result<uint64_t> invoke(Op<mnos::Syscall::ExitThread>, Invocation&);
// (text, length up to 1024) -> length: the text goes to the kernel log as "[pid] text".
lib::Result<uint64_t> invoke(Op<mnos::Syscall::DebugLog>, Invocation&);
// () -> 0
lib::Result<uint64_t> invoke(Op<mnos::Syscall::Yield>, Invocation&);
// (message) -> 0: the reply to the caller this thread last received a call from.
lib::Result<uint64_t> invoke(Op<mnos::Syscall::Reply>, Invocation&);
// (milliseconds) -> 0, after at least that long (whole 10 ms ticks, at most an hour).
lib::Result<uint64_t> invoke(Op<mnos::Syscall::Sleep>, Invocation&);

} // namespace kernel::syscall
