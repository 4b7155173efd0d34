// The user registers a SYSCALL saved on the thread's kernel stack (kernel/arch/x86_64/
// syscall_entry.S). Invocations read their arguments here and write results back: RAX always,
// and the message registers (RSI, RDX, R10, R8, R9, R12) for calls that return one
// (abi/syscall.h). Kernel threads of the self-tests build one by hand to make the same calls.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernel::syscall {

struct SyscallFrame {
    // Pushed by the entry stub, lowest address first: the user's callee-saved registers (read
    // back only when the thread resumes straight into Ring 3 from this frame), what the calls
    // read or write, and what SYSRET needs (syscall_entry.S says why nothing else is saved).
    uint64_t r15, r14, rbp, rbx;
    uint64_t r13, r12, r9, r8, r10, rdx, rsi, rdi, rax;
    uint64_t user_rip;    // from RCX
    uint64_t user_rflags; // from R11
    uint64_t user_rsp;

    uint64_t number() const { return rax; }
    uint64_t arg0() const { return rdi; }
    uint64_t arg1() const { return rsi; }
    uint64_t arg2() const { return rdx; }
    uint64_t arg3() const { return r10; }
    uint64_t arg4() const { return r8; }
    uint64_t arg5() const { return r9; }
    uint64_t arg6() const { return r12; }
    uint64_t arg7() const { return r13; }
};
static_assert(offsetof(SyscallFrame, r13) == 4 * 8);
static_assert(offsetof(SyscallFrame, rax) == 12 * 8);
static_assert(offsetof(SyscallFrame, user_rip) == 13 * 8);
static_assert(sizeof(SyscallFrame) == 16 * 8); // keeps the handler's stack 16-byte aligned

} // namespace kernel::syscall
