// Frame-pointer backtraces (the kernel is built with -fno-omit-frame-pointer).
#pragma once

#include <cstdint>

namespace kernel {

// Stack bounds a backtrace may read; the walk stops at the first frame pointer outside them,
// so a corrupt chain ends the trace instead of faulting.
struct StackBounds {
    uint64_t low, high;
};

// The stack the current CPU runs on (the boot stack until threads exist).
StackBounds current_stack_bounds();

// Prints "#n 0xaddress symbol+0xoffset" for the return address `rip`, then for each frame
// found by following `rbp`.
void print_backtrace(uint64_t rip, uint64_t rbp, StackBounds bounds);

} // namespace kernel
