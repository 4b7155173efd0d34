// Configuration mechanism #1 (PCI Local Bus Specification 3.0, section 3.2.2.3.2): an address
// written to port 0xCF8 selects a dword of one function's configuration space, port 0xCFC
// reads or writes it. It reaches the first 256 bytes of buses 0-255 of segment 0, on every PC
// QEMU emulates, and is what the kernel uses without an MCFG (QEMU's pc machine).
#pragma once

#include "kernel/sync/spinlock.h"
#include "lib/pci/config_space.h"

namespace kernel::pci {

class PortConfigSpace final : public lib::pci::ConfigSpace {
public:
    // Whether the mechanism answers: a chipset that implements it latches 0xCF8's enable bit.
    static bool present();

    uint32_t read32(lib::pci::Bdf bdf, uint16_t offset) override;
    void write32(lib::pci::Bdf bdf, uint16_t offset, uint32_t value) override;
    void write16(lib::pci::Bdf bdf, uint16_t offset, uint16_t value) override;

private:
    // Selecting and accessing are two port accesses: the pair must not interleave with another
    // CPU's (or an interrupt handler's) pair. A leaf lock: nothing is taken under it.
    IrqSpinlock m_lock;
};

} // namespace kernel::pci
