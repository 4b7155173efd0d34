// Base address registers: what each one decodes (I/O or memory, 32 or 64 bits, prefetchable),
// where firmware put it and how large it is. The size is found by the protocol of the PCI Local
// Bus Specification 3.0, section 6.2.5.1: write all ones, read back which address bits stuck,
// restore the original value. Decoding is switched off in the command register meanwhile, so
// the device never answers at the all-ones address.
#pragma once

#include <array>
#include <cstdint>

#include "lib/pci/config_space.h"
#include "lib/pci/error.h"

namespace lib::pci {

enum class BarKind : uint8_t {
    Absent,    // not implemented (reads back zero), or the upper half of the 64-bit BAR below
    Io,        // I/O ports
    Memory32,  // memory below 4 GiB
    Memory64,  // memory anywhere; occupies this slot and the next
};

struct Bar {
    BarKind kind = BarKind::Absent;
    bool prefetchable = false; // memory BARs: reads have no side effects
    uint64_t base = 0;         // port number or physical address, as firmware assigned it
    uint64_t size = 0;         // bytes (ports for I/O); a power of two, 0 when Absent

    bool is_memory() const { return kind == BarKind::Memory32 || kind == BarKind::Memory64; }
    // Whether [offset, offset + length) lies inside the BAR, without wrapping.
    bool contains(uint64_t offset, uint64_t length) const {
        return kind != BarKind::Absent && offset <= size && length <= size - offset;
    }
};

inline constexpr uint8_t MAX_BARS = 6;           // a type 0 header
inline constexpr uint8_t BRIDGE_BARS = 2;        // a type 1 header
using Bars = std::array<Bar, MAX_BARS>;

// Sizes BARs 0 .. count-1 of `bdf` into `out` (count is MAX_BARS or BRIDGE_BARS) and restores
// every register it wrote, the command register last, even when a BAR is refused. Refuses a
// reserved memory type, a 64-bit BAR with no slot for its upper half, a readback whose address
// bits are not contiguous ones, a base not aligned to the size, and an I/O BAR past 0xffff.
// Must not race with other users of the function: its decoding is off while this runs.
PciResult<> size_bars(ConfigSpace& config, Bdf bdf, uint8_t count, Bars& out);

} // namespace lib::pci
