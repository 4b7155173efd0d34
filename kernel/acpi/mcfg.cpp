#include "kernel/acpi/mcfg.h"

#include "kernel/acpi/bytes.h"
#include "kernel/acpi/tables.h"

namespace kernel::acpi {

namespace {

using detail::read_u16;
using detail::read_u64;
using detail::read_u8;

// After the common header: 8 reserved bytes, then the allocation entries.
constexpr size_t FIRST_ENTRY = 44;
constexpr size_t ENTRY_SIZE = 16;
// Within an entry.
constexpr size_t BASE = 0;
constexpr size_t SEGMENT = 8;
constexpr size_t START_BUS = 10;
constexpr size_t END_BUS = 11;

bool overlaps(const EcamWindow& a, const EcamWindow& b) {
    return a.segment == b.segment && a.start_bus <= b.end_bus && b.start_bus <= a.end_bus;
}

AcpiResult<EcamWindow> decode_entry(std::span<const uint8_t> e) {
    using mnos::Error;
    EcamWindow w{lib::PhysAddr(read_u64(e, BASE)), read_u16(e, SEGMENT), read_u8(e, START_BUS),
                 read_u8(e, END_BUS)};
    if (w.end_bus < w.start_bus)
        return refuse(Error::Malformed, Fault::McfgBusRange);
    if (!w.base.is_aligned(EcamWindow::BUS_BYTES))
        return refuse(Error::Malformed, Fault::McfgBaseUnaligned);
    // The window's last byte is base + (end + 1) * 1 MiB - 1; it must not wrap.
    uint64_t span = (uint64_t(w.end_bus) + 1) * EcamWindow::BUS_BYTES;
    if (w.base.value() > UINT64_MAX - (span - 1))
        return refuse(Error::Overflow, Fault::McfgWindowOverflow);
    return w;
}

} // namespace

std::optional<EcamWindow> Mcfg::window_for(uint16_t segment, uint8_t bus) const {
    for (const EcamWindow& w : windows())
        if (w.covers(segment, bus))
            return w;
    return std::nullopt;
}

AcpiResult<> parse_mcfg(std::span<const uint8_t> table, Mcfg& out) {
    using mnos::Error;
    out.m_count = 0;
    out.m_dropped = 0;
    table = TRY(check_table(table, "MCFG"));
    if (table.size() < FIRST_ENTRY)
        return refuse(Error::Malformed, Fault::McfgTooShort);
    size_t entries = table.size() - FIRST_ENTRY;
    if (entries % ENTRY_SIZE != 0)
        return refuse(Error::Malformed, Fault::McfgRemainder);
    if (entries == 0)
        return refuse(Error::Malformed, Fault::McfgNoEntries);

    Mcfg parsed;
    for (size_t offset = FIRST_ENTRY; offset < table.size(); offset += ENTRY_SIZE) {
        auto window = TRY(decode_entry(table.subspan(offset, ENTRY_SIZE)));
        // Against the kept windows only: a dropped one is never used.
        for (const EcamWindow& kept : parsed.windows())
            if (overlaps(kept, window))
                return refuse(Error::Malformed, Fault::McfgOverlap);
        if (parsed.m_count == Mcfg::MAX_WINDOWS) {
            ++parsed.m_dropped;
            continue;
        }
        parsed.m_windows[parsed.m_count++] = window;
    }
    out = parsed;
    return {};
}

AcpiResult<> load_mcfg(const PhysicalReader& reader, lib::PhysAddr rsdp_address, bool rsdp_is_xsdp,
                       Mcfg& out) {
    out = Mcfg();
    auto directory = TRY(discover(reader, rsdp_address, rsdp_is_xsdp));
    auto table = TRY(directory.find("MCFG"));
    return parse_mcfg(table, out);
}

} // namespace kernel::acpi
