// Model-specific register numbers the interrupt code uses (Intel SDM Vol. 4).
#pragma once

#include <cstdint>

namespace kernel::x86_64::msr {

inline constexpr uint32_t APIC_BASE = 0x1b;           // IA32_APIC_BASE
inline constexpr uint32_t EFER = 0xc0000080;           // IA32_EFER: SCE enables SYSCALL
inline constexpr uint32_t STAR = 0xc0000081;           // SYSCALL/SYSRET segment bases
inline constexpr uint32_t LSTAR = 0xc0000082;          // SYSCALL entry point (64-bit)
inline constexpr uint32_t SFMASK = 0xc0000084;         // RFLAGS bits SYSCALL clears
inline constexpr uint32_t GS_BASE = 0xc0000101;       // IA32_GS_BASE: GS base in use
inline constexpr uint32_t KERNEL_GS_BASE = 0xc0000102; // IA32_KERNEL_GS_BASE: swapgs' other half

} // namespace kernel::x86_64::msr
