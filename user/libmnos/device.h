// What a PCI driver does with the PciDevice capability init hands it (docs/drivers.md): read
// its configuration space through lib/pci's parser, map a structure inside one of its BARs,
// allocate memory its device reaches by DMA. Thin wrappers over the device calls of
// syscall.h, so every driver does these the same way.
#pragma once

#include <cstdint>

#include "lib/pci/capabilities.h"
#include "lib/pci/config_space.h"
#include "lib/result.h"
#include "user/libmnos/syscall.h"

namespace mnos::device {

// lib::pci::ConfigSpace over PciConfigRead and PciConfigWrite: one function's space (the Bdf
// arguments are ignored: the capability names the function). Writes the kernel refuses
// (anything but the command register) are dropped, as hardware drops writes to read-only bits.
class PciConfig final : public lib::pci::ConfigSpace {
public:
    explicit PciConfig(CapSlot device) : m_device(device) {}
    uint32_t read32(lib::pci::Bdf, uint16_t offset) override;
    void write32(lib::pci::Bdf, uint16_t offset, uint32_t value) override;
    void write16(lib::pci::Bdf, uint16_t offset, uint16_t value) override;

    CapSlot capability() const { return m_device; }

private:
    CapSlot m_device;
};

// The physical base of memory BAR `index` as firmware assigned it (64-bit BARs read whole);
// NotFound for an I/O BAR or one that is not implemented.
lib::Result<uint64_t> memory_bar_base(PciConfig& config, uint8_t index);

// `length` bytes at `offset` in memory BAR `bar`, mapped uncached and writable into this
// process: the MmioRegion (DeviceMmio) for the pages around it, then MapMmio. The pointer is to
// the byte at `offset` itself.
lib::Result<volatile uint8_t*> map_bar(PciConfig& config, uint8_t bar, uint64_t offset,
                                       uint64_t length);

// Physically contiguous memory the device reads and writes: `pages` zeroed pages from this
// process's budget, mapped here, with their device address (DmaAddress pins them to the device
// until bus mastering goes off). The frame's capability is kept: the pin names it.
struct DmaBuffer {
    uint8_t* memory = nullptr;
    uint64_t device_address = 0;
    uint64_t pages = 0;
    CapSlot frame = CapSlot::none();
};
lib::Result<DmaBuffer> allocate_dma(CapSlot device, uint64_t pages);

} // namespace mnos::device
