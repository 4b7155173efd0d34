#include "kernel/arch/x86_64/protection.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::x86_64 {

namespace {
constexpr uint64_t CR4_UMIP = 1u << 11, CR4_SMEP = 1u << 20, CR4_SMAP = 1u << 21;
constexpr uint32_t LEAF7_EBX_SMEP = 1u << 7, LEAF7_EBX_SMAP = 1u << 20;
constexpr uint32_t LEAF7_ECX_UMIP = 1u << 2;
} // namespace

Protections enable_protections() {
    Protections on;
    if (cpu::cpuid(0).eax < 7)
        return on;
    auto leaf7 = cpu::cpuid(7, 0);
    on.smep = leaf7.ebx & LEAF7_EBX_SMEP;
    on.smap = leaf7.ebx & LEAF7_EBX_SMAP;
    on.umip = leaf7.ecx & LEAF7_ECX_UMIP;
    uint64_t cr4 = cpu::read_cr4();
    if (on.smep)
        cr4 |= CR4_SMEP;
    if (on.smap)
        cr4 |= CR4_SMAP;
    if (on.umip)
        cr4 |= CR4_UMIP;
    // Sound: each bit is set only where CPUID says the CPU implements it (setting a reserved
    // CR4 bit would #GP), and the kernel's own code obeys what it turns on (protection.h).
    cpu::write_cr4(cr4);
    return on;
}

} // namespace kernel::x86_64
