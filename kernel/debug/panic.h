// Kernel panic: report what went wrong, where, with registers and a symbolized backtrace, then
// stop the machine (or, in test mode, exit QEMU with a failure code the boot tests can see).
#pragma once

#include <cstdint>

#include "lib/format.h"

namespace kernel {

struct SourceLocation {
    const char* file;
    uint32_t line;
    const char* function;

    // Default arguments are evaluated at the call site, so PANIC() records its caller's place.
    static consteval SourceLocation current(const char* file = __builtin_FILE(),
                                            uint32_t line = __builtin_LINE(),
                                            const char* function = __builtin_FUNCTION()) {
        return {file, line, function};
    }
};

// General-purpose and control registers at the moment of a panic or an exception.
struct RegisterSnapshot {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags, cr0, cr2, cr3, cr4;
};

[[noreturn]] void panic_with_message(const SourceLocation& where, lib::StringView message,
                                     const RegisterSnapshot* registers = nullptr);

template <typename... Args>
[[noreturn]] void panic(const SourceLocation& where, lib::CheckedFormat<Args...> fmt,
                        const Args&... args) {
    char buffer[256];
    lib::BufferOutput out(buffer, sizeof buffer);
    lib::format_to(out, fmt, args...);
    panic_with_message(where, out.view());
}

} // namespace kernel

#define PANIC(...) ::kernel::panic(::kernel::SourceLocation::current(), __VA_ARGS__)

// ASSERT stays on in every build: a kernel that goes on past a broken invariant corrupts state.
#define ASSERT(condition)                                                                          \
    do {                                                                                           \
        if (!(condition)) [[unlikely]]                                                             \
            PANIC("assertion failed: {}", #condition);                                             \
    } while (0)
