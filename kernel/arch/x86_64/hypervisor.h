// Whether the kernel runs under a hypervisor, and which: CPUID leaf 1 ECX bit 31 is reserved for
// hypervisors to announce themselves, and leaf 0x40000000 then carries a 12-character vendor
// signature in EBX, ECX, EDX ("TCGTCGTCGTCG" for QEMU's emulator, "KVMKVMKVM" for KVM).
#pragma once

#include <optional>

namespace kernel::x86_64 {

struct HypervisorSignature {
    char text[13] = {}; // NUL-terminated
};

std::optional<HypervisorSignature> detect_hypervisor();

} // namespace kernel::x86_64
