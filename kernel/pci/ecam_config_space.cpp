#include "kernel/pci/ecam_config_space.h"

#include <atomic>

#include "kernel/mm/memory.h"

namespace kernel::pci {

namespace {

constexpr uint32_t ALL_ONES = 0xffffffff;

} // namespace

volatile uint8_t* EcamConfigSpace::reg(lib::pci::Bdf bdf, uint16_t offset) {
    if (!m_window.covers(m_window.segment, bdf.bus) || offset >= lib::pci::CONFIG_SPACE_SIZE)
        return nullptr;
    std::atomic_ref<uint64_t> slot(m_bus_virt[bdf.bus]);
    uint64_t virt = slot.load(std::memory_order_acquire);
    if (virt == 0) {
        Guard guard(m_map_lock);
        virt = slot.load(std::memory_order_relaxed);
        if (virt == 0) {
            // map_mmio maps uncached (PCD|PWT): configuration registers have side effects
            // (BAR sizing, write-one-to-clear status bits), so no access may be cached,
            // combined or reordered by the cache.
            auto mapped = mm::map_mmio(m_window.bus_address(bdf.bus), acpi::EcamWindow::BUS_BYTES);
            if (!mapped)
                return nullptr;
            virt = mapped->value();
            slot.store(virt, std::memory_order_release);
        }
    }
    uint64_t function_offset = uint64_t(bdf.device & 0x1f) << 15 | uint64_t(bdf.function & 7) << 12;
    // Sound: virt maps the bus's whole 1 MiB, function_offset < 1 MiB and offset < 256, so the
    // register lies inside the mapping; it is device memory, hence volatile.
    return reinterpret_cast<volatile uint8_t*>(virt + function_offset + offset);
}

uint32_t EcamConfigSpace::read32(lib::pci::Bdf bdf, uint16_t offset) {
    volatile uint8_t* r = reg(bdf, offset & ~3u);
    // Sound: reg() returned a dword-aligned register inside the uncached mapping; one aligned
    // 32-bit load is one configuration read. A function that does not exist answers all ones.
    return r ? *reinterpret_cast<volatile uint32_t*>(r) : ALL_ONES;
}

void EcamConfigSpace::write32(lib::pci::Bdf bdf, uint16_t offset, uint32_t value) {
    // Sound as read32: one aligned 32-bit store inside the mapping is one configuration write.
    if (volatile uint8_t* r = reg(bdf, offset & ~3u))
        *reinterpret_cast<volatile uint32_t*>(r) = value;
}

void EcamConfigSpace::write16(lib::pci::Bdf bdf, uint16_t offset, uint16_t value) {
    // Sound: a 2-byte-aligned 16-bit store inside the mapping; ECAM carries byte enables, so
    // the neighbouring register (the status register beside the command register) is untouched.
    if (volatile uint8_t* r = reg(bdf, offset & ~1u))
        *reinterpret_cast<volatile uint16_t*>(r) = value;
}

} // namespace kernel::pci
