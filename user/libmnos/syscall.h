// System call wrappers (see abi/syscall.h for the convention). Each wrapper is one SYSCALL
// instruction; the asm names every register the kernel reads or clobbers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/capability.h"
#include "abi/ipc.h"
#include "abi/syscall.h"
#include "lib/result.h"

namespace mnos::sys {

// The raw call: RCX and R11 are clobbered by SYSCALL itself; "memory" because the kernel may
// read or write user memory named by the arguments.
inline int64_t raw(Syscall n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                   uint64_t a4 = 0, uint64_t a5 = 0) {
    int64_t result;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    asm volatile("syscall"
                 : "=a"(result), "+r"(r10), "+r"(r8), "+r"(r9)
                 : "a"(uint64_t(n)), "D"(a0), "S"(a1), "d"(a2)
                 : "rcx", "r11", "memory");
    return result;
}

inline lib::Result<uint64_t> checked(int64_t r) {
    if (is_error_result(r))
        return lib::fail(result_error(r));
    return uint64_t(r);
}

[[noreturn]] inline void exit(int code) {
    raw(Syscall::Exit, uint64_t(code));
    __builtin_unreachable();
}

inline lib::Result<uint64_t> debug_log(const char* text, size_t length) {
    return checked(raw(Syscall::DebugLog, reinterpret_cast<uint64_t>(text), length));
}

inline void yield() { raw(Syscall::Yield); }

} // namespace mnos::sys
