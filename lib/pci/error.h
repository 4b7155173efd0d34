// Why a function's configuration space was refused. It is untrusted input (a device, an
// emulator or a Ring 3 bus service may present anything), so each check has its own Fault with
// a static reason for the log, beside the mnos::Error callers branch on; the ACPI parser
// (kernel/acpi/diagnostic.h) reports the same way.
#pragma once

#include <cstdint>
#include <expected>

#include "abi/error.h"

namespace lib::pci {

enum class Fault : uint8_t {
    HeaderLayout,          // a header type other than 0 (device), 1 (bridge) or 2 (CardBus)
    BarReservedType,       // a memory BAR with the reserved type 1 or 3
    Bar64InLastSlot,       // a 64-bit BAR in the last slot, with no slot for its upper half
    BarMaskNotContiguous,  // the all-ones readback is not ones from the top down to the size
    BarMisaligned,         // the BAR's address is not a multiple of its size
    BarBeyondIoSpace,      // an I/O BAR that ends past port 0xffff
    CapPointerInHeader,    // a capability pointer below 0x40, into the header itself
    CapListLoops,          // a capability pointer leads back to a capability already visited
    CapOverrunsSpace,      // a capability runs past the 256-byte configuration space
    MsiReservedVectors,    // MSI's Multiple Message Capable field holds a reserved value
    MsixBadBir,            // an MSI-X table or PBA in a reserved BAR indicator (6 or 7)
    MsixOutsideBar,        // the MSI-X table or PBA does not lie inside an implemented memory BAR
    VirtioCapTooShort,     // a virtio vendor capability shorter than its type's layout
    VirtioRegionOutsideBar, // a virtio structure does not lie inside its BAR
    BridgeBusOrder,        // a bridge's secondary bus is not above the bus it sits on
    BridgeBusLoop,         // a bridge leads to a bus that has been reached already
};

constexpr const char* fault_reason(Fault fault) {
    switch (fault) {
    case Fault::HeaderLayout: return "unknown configuration header layout";
    case Fault::BarReservedType: return "memory BAR has a reserved type";
    case Fault::Bar64InLastSlot: return "64-bit BAR in the last slot";
    case Fault::BarMaskNotContiguous: return "BAR size mask is not contiguous";
    case Fault::BarMisaligned: return "BAR address is not aligned to its size";
    case Fault::BarBeyondIoSpace: return "I/O BAR runs past port 0xffff";
    case Fault::CapPointerInHeader: return "capability pointer points into the header";
    case Fault::CapListLoops: return "capability list loops";
    case Fault::CapOverrunsSpace: return "capability runs past the configuration space";
    case Fault::MsiReservedVectors: return "MSI capability has a reserved vector count";
    case Fault::MsixBadBir: return "MSI-X table or PBA names a reserved BAR";
    case Fault::MsixOutsideBar: return "MSI-X table or PBA lies outside its BAR";
    case Fault::VirtioCapTooShort: return "virtio capability is shorter than its layout";
    case Fault::VirtioRegionOutsideBar: return "virtio structure lies outside its BAR";
    case Fault::BridgeBusOrder: return "bridge's secondary bus is not above its own bus";
    case Fault::BridgeBusLoop: return "bridge leads to a bus already reached";
    }
    return "unknown PCI fault";
}

struct PciError {
    mnos::Error code;
    Fault fault;

    constexpr const char* reason() const { return fault_reason(fault); }
    constexpr bool operator==(const PciError&) const = default;
};

template <typename T = void> using PciResult = std::expected<T, PciError>;

constexpr std::unexpected<PciError> refuse(Fault fault, mnos::Error code = mnos::Error::Malformed) {
    return std::unexpected<PciError>(PciError{code, fault});
}

} // namespace lib::pci
