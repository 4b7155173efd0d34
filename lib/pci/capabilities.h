// The capability list (PCI Local Bus Specification 3.0, section 6.7): a chain of structures in
// configuration space, each with an ID and the offset of the next. Walked with every pointer
// bounded to the 256-byte space and every visited offset remembered, so a list that loops or
// points into the header is refused instead of walked forever. Decoded: MSI (section 6.8.1),
// MSI-X (6.8.2) and the virtio PCI capabilities (Virtio 1.x, section 4.1.4).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "lib/pci/bar.h"
#include "lib/pci/config_space.h"
#include "lib/pci/error.h"

namespace lib::pci {

namespace cap_id {
inline constexpr uint8_t POWER_MANAGEMENT = 0x01;
inline constexpr uint8_t MSI = 0x05;
inline constexpr uint8_t VENDOR = 0x09;
inline constexpr uint8_t PCI_EXPRESS = 0x10;
inline constexpr uint8_t MSIX = 0x11;
} // namespace cap_id

inline constexpr uint16_t VIRTIO_VENDOR = 0x1af4;

struct Msi {
    uint8_t offset = 0;
    uint8_t vectors = 1;          // how many the function can use (Multiple Message Capable)
    bool address_64 = false;      // a 64-bit message address
    bool per_vector_masking = false;
};

struct Msix {
    uint8_t offset = 0;
    uint16_t table_size = 0;      // entries, 1 to 2048
    uint8_t table_bar = 0;        // BAR indicator 0-5
    uint32_t table_offset = 0;    // into that BAR, 8-byte aligned
    uint8_t pba_bar = 0;
    uint32_t pba_offset = 0;
};

// virtio_pci_cap's cfg_type.
enum class VirtioStructure : uint8_t {
    Common = 1,
    Notify = 2,
    Isr = 3,
    Device = 4,
    PciConfigAccess = 5,
    SharedMemory = 8,
};

struct VirtioCap {
    uint8_t offset = 0;           // of the capability in configuration space
    VirtioStructure type = VirtioStructure::Common;
    uint8_t bar = 0;
    uint8_t id = 0;               // shared memory region ID (type 8)
    uint32_t region_offset = 0;   // of the structure in the BAR
    uint32_t length = 0;
    uint32_t notify_multiplier = 0; // Notify only: queue_notify_off is scaled by this
};

struct CapabilityList {
    static constexpr size_t MAX_ENTRIES = 48; // (256 - 64) / 4: one per dword past the header
    static constexpr size_t MAX_VIRTIO = 8;

    struct Entry {
        uint8_t id = 0;
        uint8_t offset = 0;
    };
    std::array<Entry, MAX_ENTRIES> entries{};
    size_t count = 0;
    std::optional<Msi> msi;
    std::optional<Msix> msix;
    std::array<VirtioCap, MAX_VIRTIO> virtio{};
    size_t virtio_count = 0;
    uint32_t virtio_ignored = 0; // BAR indicators the spec reserves, or beyond MAX_VIRTIO

    bool has(uint8_t id) const;
    // The first virtio capability of `type`, as a driver picks it.
    const VirtioCap* find_virtio(VirtioStructure type) const;
};

// Walks the list of `bdf` (if the status register says it has one) starting at `pointer_offset`
// (reg::CAPABILITIES for header types 0 and 1). Virtio capabilities are decoded only for
// `vendor` VIRTIO_VENDOR; vendor capabilities of other vendors are listed but not interpreted.
PciResult<> walk_capabilities(ConfigSpace& config, Bdf bdf, uint16_t vendor, CapabilityList& out);

// The checks that need both the BARs and the capabilities: every MSI-X table and PBA, and
// every virtio structure, lies inside an implemented BAR (memory for MSI-X).
PciResult<> check_capability_regions(const CapabilityList& caps, const Bars& bars);

} // namespace lib::pci
