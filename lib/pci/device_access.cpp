#include "lib/pci/device_access.h"

namespace lib::pci {

namespace {

constexpr uint64_t PAGE = 4096;

// Whether [a, a + a_len) and [b, b + b_len) share a byte; neither wraps (checked by callers).
constexpr bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len) {
    return a < b + b_len && b < a + a_len;
}

// Whether the pages of [phys, phys + length) overlap the pages holding `offset`..`offset +
// bytes` of `bar`. Page granular, because a mapping is: the page beside the table is as
// dangerous as the table itself.
bool overlaps_structure(const Bar& bar, uint32_t offset, uint64_t bytes, uint64_t phys,
                        uint64_t length) {
    uint64_t first = (bar.base + offset) & ~(PAGE - 1);
    uint64_t last = (bar.base + offset + bytes + PAGE - 1) & ~(PAGE - 1);
    return overlaps(phys, length, first, last - first);
}

} // namespace

lib::Result<void> check_config_read(uint64_t offset, uint64_t width) {
    if (width != 1 && width != 2 && width != 4)
        return lib::fail(Error::InvalidArgument);
    if (offset >= CONFIG_SPACE_SIZE || offset % width != 0)
        return lib::fail(Error::InvalidArgument);
    return {};
}

lib::Result<void> check_config_write(uint64_t offset, uint64_t width, uint64_t value) {
    if (offset != reg::COMMAND || width != 2 || value > 0xffff)
        return lib::fail(Error::InvalidArgument);
    if (value & ~uint64_t(DRIVER_COMMAND_BITS))
        return lib::fail(Error::InvalidArgument);
    return {};
}

lib::Result<uint8_t> check_mmio_range(const Device& device, uint64_t phys, uint64_t pages) {
    if (phys % PAGE != 0 || pages == 0)
        return lib::fail(Error::InvalidArgument);
    if (pages > (UINT64_MAX - phys) / PAGE)
        return lib::fail(Error::Overflow);
    uint64_t length = pages * PAGE;
    for (uint8_t i = 0; i < device.bar_count && i < MAX_BARS; ++i) {
        const Bar& bar = device.bars[i];
        if (!bar.is_memory() || phys < bar.base || !bar.contains(phys - bar.base, length))
            continue;
        if (const auto& msix = device.caps.msix) {
            // Sixteen bytes a table entry, one pending bit per entry in 64-bit words.
            uint64_t table_bytes = uint64_t(msix->table_size) * 16;
            uint64_t pba_bytes = (uint64_t(msix->table_size) + 63) / 64 * 8;
            if ((msix->table_bar == i &&
                 overlaps_structure(bar, msix->table_offset, table_bytes, phys, length)) ||
                (msix->pba_bar == i &&
                 overlaps_structure(bar, msix->pba_offset, pba_bytes, phys, length)))
                return lib::fail(Error::Busy);
        }
        return i;
    }
    return lib::fail(Error::NotFound);
}

} // namespace lib::pci
