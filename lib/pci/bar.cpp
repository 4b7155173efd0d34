#include "lib/pci/bar.h"

#include "lib/result.h"

namespace lib::pci {

namespace {

constexpr uint32_t BAR_IO = 1u << 0;
constexpr uint32_t IO_ADDRESS = ~uint32_t(0x3);
constexpr uint32_t MEMORY_ADDRESS = ~uint32_t(0xf);
constexpr uint32_t MEMORY_TYPE_SHIFT = 1;
constexpr uint32_t MEMORY_TYPE_32 = 0;
constexpr uint32_t MEMORY_TYPE_64 = 2;
constexpr uint32_t PREFETCHABLE = 1u << 3;
constexpr uint64_t IO_SPACE = 0x10000;

uint16_t bar_offset(uint8_t index) { return uint16_t(reg::BAR0 + 4 * index); }

// Writes all ones to the BAR and returns what stuck, then puts the original value back.
uint32_t probe(ConfigSpace& config, Bdf bdf, uint16_t offset, uint32_t original) {
    config.write32(bdf, offset, 0xffffffff);
    uint32_t readback = config.read32(bdf, offset);
    config.write32(bdf, offset, original);
    return readback;
}

// The size of a BAR whose writable address bits are `mask`. A real BAR's mask is one run of
// ones from its highest implemented address bit down to bit log2(size), zeros below (the size's
// alignment) and zeros above only where the top address bits are hardwired (a BAR that must be
// placed low, like 16-bit I/O decoders). A hole in the run sizes to nonsense and is refused.
PciResult<uint64_t> size_of(uint64_t mask) {
    uint64_t lowest = mask & (~mask + 1);
    if (((mask + lowest) & mask) != 0)
        return refuse(Fault::BarMaskNotContiguous);
    return lowest;
}

PciResult<Bar> decode_io(uint32_t original, uint32_t readback) {
    uint32_t bits = readback & IO_ADDRESS;
    if (bits == 0)
        return Bar{};
    uint64_t size = TRY(size_of(bits));
    uint64_t base = original & IO_ADDRESS;
    if (base & (size - 1))
        return refuse(Fault::BarMisaligned);
    if (base >= IO_SPACE || size > IO_SPACE - base)
        return refuse(Fault::BarBeyondIoSpace);
    return Bar{BarKind::Io, false, base, size};
}

// `mask` and `base` span both halves for a 64-bit BAR. The caller has turned an all-zero mask
// (an unimplemented BAR) into Absent already.
PciResult<Bar> decode_memory(BarKind kind, bool prefetchable, uint64_t base, uint64_t mask) {
    uint64_t size = TRY(size_of(mask));
    // Aligned also means inside the address space: base < 2^32 (or 2^64) and a multiple of a
    // power-of-two size leaves room for the whole size below that limit.
    if (base & (size - 1))
        return refuse(Fault::BarMisaligned);
    return Bar{kind, prefetchable, base, size};
}

PciResult<> size_one(ConfigSpace& config, Bdf bdf, uint8_t index, uint8_t count, Bars& out,
                     uint8_t& consumed) {
    consumed = 1;
    uint16_t offset = bar_offset(index);
    uint32_t original = config.read32(bdf, offset);
    if (original & BAR_IO) {
        out[index] = TRY(decode_io(original, probe(config, bdf, offset, original)));
        return {};
    }
    uint32_t type = (original >> MEMORY_TYPE_SHIFT) & 3;
    bool prefetchable = original & PREFETCHABLE;
    if (type == MEMORY_TYPE_32) {
        uint32_t readback = probe(config, bdf, offset, original) & MEMORY_ADDRESS;
        if (readback == 0)
            return {};
        out[index] = TRY(
            decode_memory(BarKind::Memory32, prefetchable, original & MEMORY_ADDRESS, readback));
        return {};
    }
    if (type != MEMORY_TYPE_64)
        return refuse(Fault::BarReservedType);
    if (index + 1 >= count)
        return refuse(Fault::Bar64InLastSlot);
    consumed = 2;
    uint32_t original_high = config.read32(bdf, offset + 4);
    uint32_t low = probe(config, bdf, offset, original) & MEMORY_ADDRESS;
    uint32_t high = probe(config, bdf, offset + 4, original_high);
    uint64_t mask = uint64_t(high) << 32 | low;
    if (mask == 0)
        return {};
    uint64_t base = uint64_t(original_high) << 32 | (original & MEMORY_ADDRESS);
    out[index] = TRY(decode_memory(BarKind::Memory64, prefetchable, base, mask));
    return {};
}

} // namespace

PciResult<> size_bars(ConfigSpace& config, Bdf bdf, uint8_t count, Bars& out) {
    out = Bars{};
    if (count > MAX_BARS)
        return refuse(Fault::HeaderLayout, mnos::Error::InvalidArgument);
    uint16_t command = config.read16(bdf, reg::COMMAND);
    config.write16(bdf, reg::COMMAND, command & ~(COMMAND_IO | COMMAND_MEMORY));
    PciResult<> result;
    for (uint8_t index = 0; index < count && result;) {
        uint8_t consumed = 1;
        result = size_one(config, bdf, index, count, out, consumed);
        index += consumed;
    }
    config.write16(bdf, reg::COMMAND, command);
    if (!result)
        out = Bars{};
    return result;
}

} // namespace lib::pci
