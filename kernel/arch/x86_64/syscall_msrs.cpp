#include "kernel/arch/x86_64/syscall_msrs.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/msr.h"

extern "C" void syscall_entry();

namespace kernel::x86_64 {

namespace {
constexpr uint64_t EFER_SCE = 1;
// SYSCALL loads CS = STAR[47:32] (0x08) and SS = +8 (0x10). SYSRET loads CS = STAR[63:48] + 16
// and SS = STAR[63:48] + 8, with RPL 3: base 0x18 gives CS 0x2b and SS 0x23.
constexpr uint64_t STAR_VALUE = (uint64_t(0x18 | 3) << 48) | (uint64_t(0x08) << 32);
// IF: the stub switches stacks before interrupts may arrive. DF: the ABI wants it clear. TF, AC
// and NT: user settings that must not leak into the kernel.
constexpr uint64_t SFMASK_VALUE = (1u << 9) | (1u << 10) | (1u << 8) | (1u << 18) | (1u << 14);
} // namespace

void init_syscall_msrs() {
    cpu::wrmsr(msr::EFER, cpu::rdmsr(msr::EFER) | EFER_SCE);
    cpu::wrmsr(msr::STAR, STAR_VALUE);
    cpu::wrmsr(msr::LSTAR, reinterpret_cast<uint64_t>(&syscall_entry));
    cpu::wrmsr(msr::SFMASK, SFMASK_VALUE);
}

} // namespace kernel::x86_64
