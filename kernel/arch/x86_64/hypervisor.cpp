#include "kernel/arch/x86_64/hypervisor.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::x86_64 {

std::optional<HypervisorSignature> detect_hypervisor() {
    constexpr uint32_t CPUID_1_ECX_HYPERVISOR = 1u << 31;
    if (!(cpu::cpuid(1).ecx & CPUID_1_ECX_HYPERVISOR))
        return std::nullopt;
    cpu::CpuidResult leaf = cpu::cpuid(0x4000'0000);
    HypervisorSignature signature;
    const uint32_t words[3] = {leaf.ebx, leaf.ecx, leaf.edx};
    for (int i = 0; i < 12; ++i) {
        char c = char(words[i / 4] >> (8 * (i % 4)));
        signature.text[i] = c >= 0x20 && c < 0x7f ? c : '.'; // shown in the log as it is
    }
    return signature;
}

} // namespace kernel::x86_64
