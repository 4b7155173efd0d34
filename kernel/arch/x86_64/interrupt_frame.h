// The register frame every interrupt and exception handler receives, built by the common entry
// stub in interrupt_entry.S: the general-purpose registers it pushes, then the vector and error
// code pushed by the per-vector stub (0 when the CPU pushes none), then what the CPU pushed.
// The field order is the stack order from the lowest address up; keep it in step with the
// stub (the static_asserts below pin the offsets the assembly uses).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kernel::x86_64 {

struct InterruptFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    // Pushed by the CPU (in 64-bit mode always, whatever the privilege change).
    uint64_t rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) != 0; } // RPL of the interrupted CS
};

static_assert(offsetof(InterruptFrame, vector) == 15 * 8);
static_assert(offsetof(InterruptFrame, cs) == 18 * 8);
static_assert(sizeof(InterruptFrame) == 22 * 8); // a multiple of 16: the stub's calls stay aligned

} // namespace kernel::x86_64
