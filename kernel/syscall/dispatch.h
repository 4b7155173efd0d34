// The system call entry's C++ side (dispatch.cpp), also the way kernel threads of the self-tests
// make the same calls: a SyscallFrame filled as a Ring 3 caller would fill its registers.
#pragma once

#include "kernel/syscall/invocation.h"

namespace kernel::syscall {

// Decodes and runs the call in `registers` on behalf of `caller` (which must be the current
// thread); the value for RAX or the error. Calls that return a message write it into
// `registers`.
lib::Result<uint64_t> invoke(object::Thread& caller, SyscallFrame& registers);

} // namespace kernel::syscall
