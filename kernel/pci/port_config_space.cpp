#include "kernel/pci/port_config_space.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::pci {

namespace {

constexpr uint16_t ADDRESS_PORT = 0xcf8;
constexpr uint16_t DATA_PORT = 0xcfc;
constexpr uint32_t ENABLE = 1u << 31;

uint32_t address(lib::pci::Bdf bdf, uint16_t offset) {
    return ENABLE | uint32_t(bdf.bus) << 16 | uint32_t(bdf.device & 0x1f) << 11 |
           uint32_t(bdf.function & 0x7) << 8 | (offset & 0xfc);
}

} // namespace

bool PortConfigSpace::present() {
    // Port I/O to the host bridge's own address register: reading it back has no side effect,
    // and the original value is put back so a firmware selection in progress is not disturbed.
    uint32_t saved = cpu::in32(ADDRESS_PORT);
    cpu::out32(ADDRESS_PORT, ENABLE);
    bool latched = cpu::in32(ADDRESS_PORT) == ENABLE;
    cpu::out32(ADDRESS_PORT, saved);
    return latched;
}

uint32_t PortConfigSpace::read32(lib::pci::Bdf bdf, uint16_t offset) {
    Guard guard(m_lock);
    cpu::out32(ADDRESS_PORT, address(bdf, offset));
    return cpu::in32(DATA_PORT);
}

void PortConfigSpace::write32(lib::pci::Bdf bdf, uint16_t offset, uint32_t value) {
    Guard guard(m_lock);
    cpu::out32(ADDRESS_PORT, address(bdf, offset));
    cpu::out32(DATA_PORT, value);
}

void PortConfigSpace::write16(lib::pci::Bdf bdf, uint16_t offset, uint16_t value) {
    Guard guard(m_lock);
    cpu::out32(ADDRESS_PORT, address(bdf, offset));
    // The data port decodes byte enables: a 16-bit access at 0xCFE writes the upper half only.
    cpu::out16(uint16_t(DATA_PORT + (offset & 2)), value);
}

} // namespace kernel::pci
