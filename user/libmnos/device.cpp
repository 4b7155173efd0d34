#include "user/libmnos/device.h"

#include "user/libmnos/memory.h"

namespace mnos::device {

namespace {
constexpr uint64_t PAGE = 4096;
} // namespace

uint32_t PciConfig::read32(lib::pci::Bdf, uint16_t offset) {
    auto value = sys::pci_config_read(m_device, offset, 4);
    // What a read of a function that does not answer gives: the parser refuses such values.
    return value ? uint32_t(*value) : 0xffffffff;
}

void PciConfig::write32(lib::pci::Bdf, uint16_t offset, uint32_t value) {
    (void)sys::pci_config_write(m_device, offset, 4, value);
}

void PciConfig::write16(lib::pci::Bdf, uint16_t offset, uint16_t value) {
    (void)sys::pci_config_write(m_device, offset, 2, value);
}

lib::Result<uint64_t> memory_bar_base(PciConfig& config, uint8_t index) {
    constexpr uint32_t IO_SPACE = 1, TYPE_MASK = 6, TYPE_64 = 4;
    if (index >= lib::pci::MAX_BARS)
        return lib::fail(Error::InvalidArgument);
    uint16_t at = uint16_t(lib::pci::reg::BAR0 + 4 * index);
    uint32_t low = config.read32({}, at);
    if (low & IO_SPACE)
        return lib::fail(Error::NotFound);
    uint64_t base = low & ~uint32_t(0xf);
    if ((low & TYPE_MASK) == TYPE_64) {
        if (index + 1 >= lib::pci::MAX_BARS)
            return lib::fail(Error::Malformed);
        base |= uint64_t(config.read32({}, uint16_t(at + 4))) << 32;
    }
    if (base == 0)
        return lib::fail(Error::NotFound);
    return base;
}

lib::Result<volatile uint8_t*> map_bar(PciConfig& config, uint8_t bar, uint64_t offset,
                                       uint64_t length) {
    uint64_t base = TRY(memory_bar_base(config, bar));
    if (length == 0 || offset > UINT64_MAX - base || length > UINT64_MAX - base - offset - PAGE)
        return lib::fail(Error::Overflow);
    uint64_t first = (base + offset) & ~(PAGE - 1);
    uint64_t end = (base + offset + length + PAGE - 1) & ~(PAGE - 1);
    uint64_t pages = (end - first) / PAGE;
    CapSlot region = TRY(sys::device_mmio(config.capability(), first, pages));
    auto mapped = map_region(region, pages);
    (void)sys::drop_cap(region); // the mapping keeps what it needs
    uint8_t* at = static_cast<uint8_t*>(TRY(mapped));
    // Sound: the pages from `first` were just mapped uncached at `at`; the structure starts
    // (base + offset - first) bytes into them and ends inside the last.
    return reinterpret_cast<volatile uint8_t*>(at + (base + offset - first));
}

lib::Result<DmaBuffer> allocate_dma(CapSlot device, uint64_t pages) {
    CapSlot frame = TRY(sys::alloc_memory(service_caps::BUDGET, pages));
    auto address = sys::dma_address(device, frame);
    if (!address) {
        (void)sys::drop_cap(frame);
        return lib::fail(address.error());
    }
    auto memory = map_shared(frame, pages, true);
    if (!memory) {
        (void)sys::drop_cap(frame); // still pinned to the device: freed when that ends
        return lib::fail(memory.error());
    }
    return DmaBuffer{static_cast<uint8_t*>(*memory), *address, pages, frame};
}

} // namespace mnos::device
