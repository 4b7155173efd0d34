// FPU/SSE state, saved and restored eagerly at every context switch with FXSAVE64/FXRSTOR64.
// The kernel itself never touches these registers (it is compiled without SSE and a test checks
// its disassembly), so only threads' own state ever lives in them.
#pragma once

#include <cstdint>

namespace kernel::x86_64 {

// The 512-byte FXSAVE area; FXSAVE requires 16-byte alignment.
struct alignas(16) FpuState {
    uint8_t bytes[512];
};

// Per CPU: CR0.MP on, CR0.EM and CR0.TS off (no lazy #NM traps), CR4.OSFXSR and OSXMMEXCPT on
// (SSE enabled, SSE exceptions reported as #XM).
void init_fpu();

// The state a new thread starts with: x87 control word 0x37f, MXCSR 0x1f80 (all exceptions
// masked, round to nearest), every register zero.
void init_fpu_state(FpuState& state);

// The asm reads or writes exactly the 512 bytes of `state`, which is 16-byte aligned by type.
inline void save_fpu(FpuState& state) { asm volatile("fxsave64 %0" : "=m"(state)); }
inline void restore_fpu(const FpuState& state) { asm volatile("fxrstor64 %0" : : "m"(state)); }

} // namespace kernel::x86_64
