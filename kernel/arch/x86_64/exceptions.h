// CPU exceptions (vectors 0-31): a kernel-mode fault is reported (vector, decoded error code,
// CR2, RIP with its symbol, all registers, backtrace) and panics; a user-mode fault goes to
// handle_user_fault. In the test kernel, self-tests can declare a fault as expected and resume
// after it; the shipped kernel has none of that code (kernel/debug/no_self_tests.cpp).
#pragma once

#include <cstdint>

#include "kernel/arch/x86_64/interrupt_frame.h"
#include "kernel/arch/x86_64/per_cpu.h"

namespace kernel::x86_64 {

// Called by interrupt_dispatch for vectors below 32.
void handle_exception(InterruptFrame& frame);

// The one place a fault in Ring 3 ends up. For now no processes exist, so it panics; the
// process issue makes it end the faulting process instead.
[[noreturn]] void handle_user_fault(InterruptFrame& frame, const char* reason);

// Resumes a kernel-mode fault that a self-test armed with expect_fault(): records what happened
// and redirects the frame's RIP. False when the fault was not expected (always, in the shipped
// kernel). kernel/test/expected_fault.cpp has it and the two below, which only self-tests call.
bool try_expected_fault(InterruptFrame& frame, uint64_t cr2);

// Arms this CPU's fault expectation for `vector` and returns it. The caller's inline asm must
// then store the resume address into `resume_rip` and execute the faulting instruction in the
// same asm statement (so no compiler-generated code runs in between). Interrupts should be off
// or the code must not be preempted between arming and faulting.
FaultExpectation& expect_fault(uint8_t vector);

// Disarms the expectation (whether or not it fired) and returns it for inspection.
FaultExpectation finish_expected_fault();

} // namespace kernel::x86_64
