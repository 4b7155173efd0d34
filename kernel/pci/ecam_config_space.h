// PCI Express's enhanced configuration access mechanism (PCI Express Base Specification,
// section 7.2.2): every function's configuration space is a 4 KiB page of memory in the window
// the MCFG names, at base + (bus << 20 | device << 15 | function << 12). One memory access per
// register, so no lock is needed, and it works on q35, where the MCFG exists.
#pragma once

#include <array>

#include "kernel/acpi/mcfg.h"
#include "kernel/sync/spinlock.h"
#include "lib/address.h"
#include "lib/pci/config_space.h"

namespace kernel::pci {

class EcamConfigSpace final : public lib::pci::ConfigSpace {
public:
    explicit EcamConfigSpace(const acpi::EcamWindow& window) : m_window(window) {}

    const acpi::EcamWindow& window() const { return m_window; }

    uint32_t read32(lib::pci::Bdf bdf, uint16_t offset) override;
    void write32(lib::pci::Bdf bdf, uint16_t offset, uint32_t value) override;
    void write16(lib::pci::Bdf bdf, uint16_t offset, uint16_t value) override;

private:
    // The function's register, or null when its bus is outside the window or cannot be mapped.
    // Reads of a null register return all ones (as a master abort does), writes are dropped.
    volatile uint8_t* reg(lib::pci::Bdf bdf, uint16_t offset);

    acpi::EcamWindow m_window;
    // Buses are mapped (1 MiB each, uncached) the first time they are touched: a 256-bus window
    // is 256 MiB of address space, and a PC populates two or three buses of it.
    std::array<uint64_t, 256> m_bus_virt{};
    Spinlock m_map_lock;
};

} // namespace kernel::pci
