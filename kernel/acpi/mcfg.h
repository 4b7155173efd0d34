// The MCFG table ("PCI Express memory mapped configuration space base address description",
// PCI Firmware Specification 3.x, section 4.1.2): where each PCI segment's ECAM window is. A
// bus's 1 MiB of configuration space is at base + (bus << 20), so the window of an allocation
// covering buses S..E is [base + (S << 20), base + ((E + 1) << 20)). Parsed into a fixed-capacity
// copy, like the MADT, so it outlives the firmware's memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "kernel/acpi/diagnostic.h"
#include "kernel/acpi/physical_reader.h"
#include "lib/address.h"

namespace kernel::acpi {

struct EcamWindow {
    lib::PhysAddr base; // the address of bus 0's configuration space, even when start_bus > 0
    uint16_t segment = 0;
    uint8_t start_bus = 0;
    uint8_t end_bus = 0; // inclusive

    static constexpr uint64_t BUS_BYTES = uint64_t(1) << 20; // 32 devices x 8 functions x 4 KiB
    // The physical address of `bus`'s configuration space; only for start_bus <= bus <= end_bus.
    lib::PhysAddr bus_address(uint8_t bus) const { return base + uint64_t(bus) * BUS_BYTES; }
    bool covers(uint16_t seg, uint8_t bus) const {
        return seg == segment && bus >= start_bus && bus <= end_bus;
    }
};

class Mcfg {
public:
    static constexpr size_t MAX_WINDOWS = 16;

    std::span<const EcamWindow> windows() const { return {m_windows.data(), m_count}; }
    // Allocations past MAX_WINDOWS, left out.
    uint32_t dropped_windows() const { return m_dropped; }
    // The window that holds `bus` of `segment`, if any.
    std::optional<EcamWindow> window_for(uint16_t segment, uint8_t bus) const;

private:
    friend AcpiResult<> parse_mcfg(std::span<const uint8_t> table, Mcfg& out);

    std::array<EcamWindow, MAX_WINDOWS> m_windows{};
    size_t m_count = 0;
    uint32_t m_dropped = 0;
};

// Parses an MCFG (the whole table, as TableDirectory::find("MCFG") returns it). Re-checks the
// header, then: length >= 44, a whole number of 16-byte entries, at least one entry, and for
// each entry start <= end bus, a 1 MiB-aligned base, a window below 2^64, and no bus of a
// segment claimed twice. Any failure refuses the whole table (which window is the liar cannot
// be known) and leaves `out` empty.
AcpiResult<> parse_mcfg(std::span<const uint8_t> table, Mcfg& out);

// RSDP -> root table -> MCFG -> `out`. NotFound/TableNotFound when the firmware has no MCFG
// (the pc machine, or ACPI off): configuration space is then reached through the I/O ports.
AcpiResult<> load_mcfg(const PhysicalReader& reader, lib::PhysAddr rsdp_address, bool rsdp_is_xsdp,
                       Mcfg& out);

} // namespace kernel::acpi
