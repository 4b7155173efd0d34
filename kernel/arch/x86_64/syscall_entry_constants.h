// The constants syscall_entry.S needs from the ABI, as plain #defines an assembler can read;
// kernel/syscall/dispatch.cpp checks each against abi/syscall.h and SyscallFrame at compile time.
#pragma once

#define SYSCALL_ENTRY_COUNT 43           // mnos::SYSCALL_COUNT: numbers at or above have no call
#define SYSCALL_ENTRY_INVALID_RESULT -1  // mnos::error_result(Error::InvalidArgument)
#define SYSCALL_ENTRY_FRAME_RAX 96       // offsetof(SyscallFrame, rax)
#define SYSCALL_ENTRY_CALLEE_SAVED 32    // offsetof(SyscallFrame, r13): RBX, RBP, R14, R15 below
