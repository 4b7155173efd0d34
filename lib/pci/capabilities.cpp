#include "lib/pci/capabilities.h"

#include "lib/result.h"

namespace lib::pci {

namespace {

constexpr uint16_t FIRST_CAPABILITY = 0x40; // the end of the standard header
constexpr uint8_t POINTER_MASK = 0xfc;      // the low two bits are reserved

// MSI Message Control.
constexpr uint16_t MSI_64BIT = 1u << 7;
constexpr uint16_t MSI_MASKING = 1u << 8;
constexpr uint16_t MSI_MMC_SHIFT = 1;
constexpr uint16_t MSI_MMC_MAX = 5; // 32 vectors; 6 and 7 are reserved

// MSI-X.
constexpr uint16_t MSIX_TABLE_SIZE = 0x7ff;
constexpr uint32_t MSIX_BIR = 0x7;
constexpr uint8_t MSIX_SIZE = 12;
constexpr uint32_t MSIX_ENTRY_BYTES = 16;

// virtio_pci_cap: cap_vndr, cap_next, cap_len, cfg_type, bar, id, padding[2], offset, length.
constexpr uint8_t VIRTIO_CAP_SIZE = 16;
constexpr uint8_t VIRTIO_NOTIFY_CAP_SIZE = 20; // + notify_off_multiplier

uint8_t msi_size(uint16_t control) {
    uint8_t size = (control & MSI_64BIT) ? 14 : 10;
    return (control & MSI_MASKING) ? size + 10 : size; // mask and pending bits, 64-bit aligned
}

bool fits(uint8_t offset, uint16_t size) { return offset + size <= CONFIG_SPACE_SIZE; }

PciResult<Msi> decode_msi(ConfigSpace& config, Bdf bdf, uint8_t offset) {
    uint16_t control = config.read16(bdf, offset + 2);
    if (!fits(offset, msi_size(control)))
        return refuse(Fault::CapOverrunsSpace);
    uint16_t mmc = (control >> MSI_MMC_SHIFT) & 7;
    if (mmc > MSI_MMC_MAX)
        return refuse(Fault::MsiReservedVectors);
    return Msi{offset, uint8_t(1u << mmc), (control & MSI_64BIT) != 0,
               (control & MSI_MASKING) != 0};
}

PciResult<Msix> decode_msix(ConfigSpace& config, Bdf bdf, uint8_t offset) {
    if (!fits(offset, MSIX_SIZE))
        return refuse(Fault::CapOverrunsSpace);
    uint16_t control = config.read16(bdf, offset + 2);
    uint32_t table = config.read32(bdf, offset + 4);
    uint32_t pba = config.read32(bdf, offset + 8);
    Msix m{offset, uint16_t((control & MSIX_TABLE_SIZE) + 1), uint8_t(table & MSIX_BIR),
           table & ~MSIX_BIR, uint8_t(pba & MSIX_BIR), pba & ~MSIX_BIR};
    if (m.table_bar >= MAX_BARS || m.pba_bar >= MAX_BARS)
        return refuse(Fault::MsixBadBir);
    return m;
}

// A vendor capability of a virtio device. Kept in `out` unless its BAR indicator is one the
// spec reserves (a driver must ignore those) or the list is full.
PciResult<> decode_virtio(ConfigSpace& config, Bdf bdf, uint8_t offset, CapabilityList& out) {
    uint8_t length = config.read8(bdf, offset + 2);
    uint8_t type = config.read8(bdf, offset + 3);
    uint8_t minimum = type == uint8_t(VirtioStructure::Notify) ? VIRTIO_NOTIFY_CAP_SIZE
                                                               : VIRTIO_CAP_SIZE;
    if (length < minimum)
        return refuse(Fault::VirtioCapTooShort);
    if (!fits(offset, length))
        return refuse(Fault::CapOverrunsSpace);
    VirtioCap cap{offset, VirtioStructure(type), config.read8(bdf, offset + 4),
                  config.read8(bdf, offset + 5), config.read32(bdf, offset + 8),
                  config.read32(bdf, offset + 12), 0};
    if (cap.type == VirtioStructure::Notify)
        cap.notify_multiplier = config.read32(bdf, offset + 16);
    if (cap.bar >= MAX_BARS || out.virtio_count == CapabilityList::MAX_VIRTIO) {
        ++out.virtio_ignored;
        return {};
    }
    out.virtio[out.virtio_count++] = cap;
    return {};
}

PciResult<> decode(ConfigSpace& config, Bdf bdf, uint16_t vendor, uint8_t id, uint8_t offset,
                   CapabilityList& out) {
    switch (id) {
    case cap_id::MSI:
        if (!out.msi)
            out.msi = TRY(decode_msi(config, bdf, offset));
        return {};
    case cap_id::MSIX:
        if (!out.msix)
            out.msix = TRY(decode_msix(config, bdf, offset));
        return {};
    case cap_id::VENDOR:
        if (vendor == VIRTIO_VENDOR)
            return decode_virtio(config, bdf, offset, out);
        return {};
    default: return {};
    }
}

PciResult<> walk(ConfigSpace& config, Bdf bdf, uint16_t vendor, CapabilityList& out) {
    if (!(config.read16(bdf, reg::STATUS) & STATUS_CAPABILITIES))
        return {};
    // One bit per dword a capability can start at: a second visit is a loop. So the walk ends
    // after at most MAX_ENTRIES steps whatever the device answers.
    uint64_t visited = 0;
    uint8_t offset = config.read8(bdf, reg::CAPABILITIES) & POINTER_MASK;
    while (offset != 0) {
        if (offset < FIRST_CAPABILITY)
            return refuse(Fault::CapPointerInHeader);
        uint64_t bit = uint64_t(1) << ((offset - FIRST_CAPABILITY) / 4);
        if (visited & bit)
            return refuse(Fault::CapListLoops);
        visited |= bit;
        // At most MAX_ENTRIES distinct offsets pass the checks above, so this cannot overflow.
        uint16_t header = config.read16(bdf, offset);
        uint8_t id = uint8_t(header);
        out.entries[out.count++] = {id, offset};
        TRY(decode(config, bdf, vendor, id, offset, out));
        offset = uint8_t(header >> 8) & POINTER_MASK;
    }
    return {};
}

PciResult<> check_msix(const Msix& m, const Bars& bars) {
    const Bar& table = bars[m.table_bar];
    const Bar& pba = bars[m.pba_bar];
    uint64_t pba_bytes = (uint64_t(m.table_size) + 63) / 64 * 8; // one bit per entry, in qwords
    if (!table.is_memory() || !table.contains(m.table_offset, m.table_size * MSIX_ENTRY_BYTES))
        return refuse(Fault::MsixOutsideBar);
    if (!pba.is_memory() || !pba.contains(m.pba_offset, pba_bytes))
        return refuse(Fault::MsixOutsideBar);
    return {};
}

} // namespace

bool CapabilityList::has(uint8_t id) const {
    for (size_t i = 0; i < count; ++i)
        if (entries[i].id == id)
            return true;
    return false;
}

const VirtioCap* CapabilityList::find_virtio(VirtioStructure type) const {
    for (size_t i = 0; i < virtio_count; ++i)
        if (virtio[i].type == type)
            return &virtio[i];
    return nullptr;
}

PciResult<> walk_capabilities(ConfigSpace& config, Bdf bdf, uint16_t vendor, CapabilityList& out) {
    out = CapabilityList{};
    auto walked = walk(config, bdf, vendor, out);
    if (!walked)
        out = CapabilityList{};
    return walked;
}

PciResult<> check_capability_regions(const CapabilityList& caps, const Bars& bars) {
    if (caps.msix)
        TRY(check_msix(*caps.msix, bars));
    for (size_t i = 0; i < caps.virtio_count; ++i) {
        const VirtioCap& v = caps.virtio[i];
        // PCI configuration access (type 5) names no region: its fields are a window onto the
        // BARs, set through configuration space.
        if (v.type == VirtioStructure::PciConfigAccess)
            continue;
        if (!bars[v.bar].contains(v.region_offset, v.length))
            return refuse(Fault::VirtioRegionOutsideBar);
    }
    return {};
}

} // namespace lib::pci
