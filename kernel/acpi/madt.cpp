#include "kernel/acpi/madt.h"

#include "kernel/acpi/bytes.h"
#include "kernel/acpi/tables.h"

namespace kernel::acpi {

namespace {

using detail::read_u16;
using detail::read_u32;
using detail::read_u64;
using detail::read_u8;

// MADT fixed part after the common header.
constexpr size_t LOCAL_APIC_ADDRESS = 36;
constexpr size_t FLAGS = 40;
constexpr size_t FIRST_ENTRY = 44;
constexpr uint32_t FLAG_PCAT_COMPAT = 1u << 0;

// Entry types this parser decodes, with the size of their layout in the spec. An entry may be
// longer (later revisions append fields) but never shorter.
enum EntryType : uint8_t {
    LOCAL_APIC = 0,
    IO_APIC = 1,
    INTERRUPT_OVERRIDE = 2,
    NMI_SOURCE = 3,
    LOCAL_APIC_NMI = 4,
    LOCAL_APIC_ADDRESS_OVERRIDE = 5,
    LOCAL_X2APIC = 9,
    LOCAL_X2APIC_NMI = 0xa,
};

constexpr size_t ENTRY_HEADER_SIZE = 2; // type, length

// 0 for types this parser does not decode (they are skipped by length).
constexpr size_t minimum_entry_size(uint8_t type) {
    switch (type) {
    case LOCAL_APIC: return 8;
    case IO_APIC: return 12;
    case INTERRUPT_OVERRIDE: return 10;
    case NMI_SOURCE: return 8;
    case LOCAL_APIC_NMI: return 6;
    case LOCAL_APIC_ADDRESS_OVERRIDE: return 12;
    case LOCAL_X2APIC: return 16;
    case LOCAL_X2APIC_NMI: return 12;
    default: return 0;
    }
}

// Processor flags (types 0 and 9). Online Capable exists from MADT revision 5; before that the
// bit is reserved and zero, so reading it unconditionally is harmless.
constexpr uint32_t PROCESSOR_ENABLED = 1u << 0;
constexpr uint32_t PROCESSOR_ONLINE_CAPABLE = 1u << 1;

constexpr uint8_t LOCAL_APIC_NMI_ALL = 0xff;

template <typename T, size_t N> bool push(std::array<T, N>& array, size_t& count, const T& v) {
    if (count == N)
        return false;
    array[count++] = v;
    return true;
}

} // namespace

Madt Madt::legacy_fallback(uint32_t bsp_apic_id) {
    Madt madt;
    madt.reset_to_legacy(bsp_apic_id);
    return madt;
}

void Madt::reset_to_legacy(uint32_t bsp_apic_id) {
    // Only the counts bound what is visible, so stale array contents need no clearing.
    m_local_apic_address = lib::PhysAddr(DEFAULT_LOCAL_APIC_ADDRESS);
    m_has_legacy_pics = true;
    m_from_firmware = false;
    m_processors[0] = Processor{bsp_apic_id, 0, true, false};
    m_processor_count = 1;
    m_io_apic_count = 0;
    m_override_count = 0;
    m_nmi_source_count = 0;
    m_local_apic_nmi_count = 0;
    m_dropped_entries = 0;
    m_unusable_processors = 0;
    m_skipped_unknown = 0;
}

void Madt::add_processor(const Processor& processor, bool usable) {
    if (!usable) {
        ++m_unusable_processors;
        return;
    }
    // Firmware may describe one processor twice (a type 0 and a type 9 entry with the same ID);
    // starting it twice would be a bug, so the first description wins.
    for (size_t i = 0; i < m_processor_count; ++i) {
        if (m_processors[i].apic_id == processor.apic_id) {
            ++m_dropped_entries;
            return;
        }
    }
    if (!push(m_processors, m_processor_count, processor))
        ++m_dropped_entries;
}

lib::Result<IrqRoute> Madt::isa_irq_route(uint8_t irq) const {
    if (irq >= ISA_IRQ_COUNT)
        return lib::fail(mnos::Error::InvalidArgument);
    IrqRoute route{irq, false, false};
    InterruptFlags flags;
    for (const InterruptOverride& o : overrides()) {
        if (o.bus == 0 && o.source == irq) {
            route.gsi = o.gsi;
            flags = o.flags;
            break;
        }
    }
    // ISA conforms to active-high, edge. The reserved encodings are treated the same: refusing
    // the IRQ would be worse than programming the bus default.
    route.active_low = flags.polarity == Polarity::ActiveLow;
    route.level_triggered = flags.trigger == TriggerMode::Level;
    return route;
}

const IoApic* Madt::io_apic_for_gsi(uint32_t gsi) const {
    const IoApic* best = nullptr;
    for (const IoApic& io_apic : io_apics()) {
        if (io_apic.gsi_base <= gsi && (!best || io_apic.gsi_base > best->gsi_base))
            best = &io_apic;
    }
    if (best && best->input_count != 0 && gsi - best->gsi_base >= best->input_count)
        return nullptr;
    return best;
}

bool Madt::set_io_apic_input_count(size_t index, uint32_t count) {
    if (index >= m_io_apic_count)
        return false;
    m_io_apics[index].input_count = count;
    return true;
}

AcpiResult<> parse_madt(std::span<const uint8_t> table, Madt& out) {
    auto parsed = Madt::parse_into(table, out);
    if (!parsed)
        out.reset_to_legacy(0);
    return parsed;
}

AcpiResult<> Madt::parse_into(std::span<const uint8_t> table, Madt& madt) {
    using mnos::Error;
    madt.reset_to_legacy(0);
    table = TRY(check_table(table, "APIC"));
    if (table.size() < FIRST_ENTRY)
        return refuse(Error::Malformed, Fault::MadtTooShort);

    // Parsed in place, not into a local: a Madt is several KiB and kernel stacks are small.
    madt.m_processor_count = 0;
    madt.m_local_apic_address = lib::PhysAddr(read_u32(table, LOCAL_APIC_ADDRESS));
    madt.m_has_legacy_pics = (read_u32(table, FLAGS) & FLAG_PCAT_COMPAT) != 0;

    size_t offset = FIRST_ENTRY;
    while (offset < table.size()) {
        if (table.size() - offset < ENTRY_HEADER_SIZE)
            return refuse(Error::Malformed, Fault::MadtEntryOverrun);
        uint8_t type = read_u8(table, offset);
        uint8_t entry_length = read_u8(table, offset + 1);
        // A length below 2 would not move past the entry header (0 would loop forever).
        if (entry_length < ENTRY_HEADER_SIZE)
            return refuse(Error::Malformed, Fault::MadtEntryTooShort);
        if (entry_length > table.size() - offset)
            return refuse(Error::Malformed, Fault::MadtEntryOverrun);
        size_t minimum = minimum_entry_size(type);
        if (entry_length < minimum)
            return refuse(Error::Malformed, Fault::MadtEntryTooSmallForType);

        std::span<const uint8_t> e = table.subspan(offset, entry_length);
        switch (type) {
        case LOCAL_APIC: {
            uint32_t flags = read_u32(e, 4);
            madt.add_processor(
                Processor{read_u8(e, 3), read_u8(e, 2), (flags & PROCESSOR_ENABLED) != 0, false},
                (flags & (PROCESSOR_ENABLED | PROCESSOR_ONLINE_CAPABLE)) != 0);
            break;
        }
        case LOCAL_X2APIC: {
            uint32_t flags = read_u32(e, 8);
            madt.add_processor(
                Processor{read_u32(e, 4), read_u32(e, 12), (flags & PROCESSOR_ENABLED) != 0, true},
                (flags & (PROCESSOR_ENABLED | PROCESSOR_ONLINE_CAPABLE)) != 0);
            break;
        }
        case IO_APIC: {
            IoApic io_apic{read_u8(e, 2), lib::PhysAddr(read_u32(e, 4)), read_u32(e, 8), 0};
            if (!push(madt.m_io_apics, madt.m_io_apic_count, io_apic))
                ++madt.m_dropped_entries;
            break;
        }
        case INTERRUPT_OVERRIDE: {
            InterruptOverride o{read_u8(e, 2), read_u8(e, 3), read_u32(e, 4),
                                InterruptFlags::decode(read_u16(e, 8))};
            if (!push(madt.m_overrides, madt.m_override_count, o))
                ++madt.m_dropped_entries;
            break;
        }
        case NMI_SOURCE: {
            NmiSource nmi{read_u32(e, 4), InterruptFlags::decode(read_u16(e, 2))};
            if (!push(madt.m_nmi_sources, madt.m_nmi_source_count, nmi))
                ++madt.m_dropped_entries;
            break;
        }
        case LOCAL_APIC_NMI: {
            uint8_t uid = read_u8(e, 2);
            LocalApicNmi nmi{uid == LOCAL_APIC_NMI_ALL ? LocalApicNmi::ALL_PROCESSORS : uid,
                             read_u8(e, 5), InterruptFlags::decode(read_u16(e, 3))};
            if (!push(madt.m_local_apic_nmis, madt.m_local_apic_nmi_count, nmi))
                ++madt.m_dropped_entries;
            break;
        }
        case LOCAL_X2APIC_NMI: {
            LocalApicNmi nmi{read_u32(e, 4), read_u8(e, 8), InterruptFlags::decode(read_u16(e, 2))};
            if (!push(madt.m_local_apic_nmis, madt.m_local_apic_nmi_count, nmi))
                ++madt.m_dropped_entries;
            break;
        }
        case LOCAL_APIC_ADDRESS_OVERRIDE:
            // The 64-bit address replaces the 32-bit field in the fixed part.
            madt.m_local_apic_address = lib::PhysAddr(read_u64(e, 4));
            break;
        default:
            ++madt.m_skipped_unknown;
            break;
        }
        offset += entry_length;
    }

    if (madt.m_processor_count == 0)
        return refuse(Error::Malformed, Fault::MadtNoProcessors);
    madt.m_from_firmware = true;
    return {};
}

AcpiResult<MadtOrigin> load_madt(const PhysicalReader& reader, lib::PhysAddr rsdp_address,
                                 bool rsdp_is_xsdp, uint32_t bsp_apic_id, Madt& out) {
    out.reset_to_legacy(bsp_apic_id);
    auto directory = TRY(discover(reader, rsdp_address, rsdp_is_xsdp));
    auto table = TRY(directory.find("APIC"));
    auto parsed = parse_madt(table, out);
    if (!parsed) {
        out.reset_to_legacy(bsp_apic_id);
        return std::unexpected(parsed.error());
    }
    return MadtOrigin{directory.uses_xsdt(), directory.xsdt_rejection()};
}

} // namespace kernel::acpi
