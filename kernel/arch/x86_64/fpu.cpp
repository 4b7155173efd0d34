#include "kernel/arch/x86_64/fpu.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::x86_64 {

namespace {
constexpr uint64_t CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3;
constexpr uint64_t CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10;
constexpr uint16_t DEFAULT_FCW = 0x037f;
constexpr uint32_t DEFAULT_MXCSR = 0x1f80;
} // namespace

void init_fpu() {
    cpu::write_cr0((cpu::read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
    cpu::write_cr4(cpu::read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    // fninit resets the x87 unit; it touches only x87 state, which no kernel code uses.
    asm volatile("fninit");
}

void init_fpu_state(FpuState& state) {
    for (uint8_t& b : state.bytes)
        b = 0;
    // FXSAVE layout (Intel SDM vol. 1, 10.5.1): FCW at byte 0, MXCSR at byte 24.
    __builtin_memcpy(&state.bytes[0], &DEFAULT_FCW, sizeof DEFAULT_FCW);
    __builtin_memcpy(&state.bytes[24], &DEFAULT_MXCSR, sizeof DEFAULT_MXCSR);
}

} // namespace kernel::x86_64
