#include "kernel/acpi/tables.h"

#include "kernel/acpi/bytes.h"

namespace kernel::acpi {

namespace {

// Offsets in the common table header.
constexpr size_t SIGNATURE = 0;
constexpr size_t LENGTH = 4;
constexpr size_t REVISION = 8;
constexpr size_t OEM_ID = 10;
constexpr size_t OEM_TABLE_ID = 16;
constexpr size_t OEM_REVISION = 24;

template <size_t N> void copy_chars(char (&to)[N], std::span<const uint8_t> from, size_t offset) {
    for (size_t i = 0; i < N; ++i)
        to[i] = static_cast<char>(from[offset + i]);
}

} // namespace

TableHeader decode_header(std::span<const uint8_t> table) {
    TableHeader header;
    copy_chars(header.signature, table, SIGNATURE);
    header.length = detail::read_u32(table, LENGTH);
    header.revision = detail::read_u8(table, REVISION);
    copy_chars(header.oem_id, table, OEM_ID);
    copy_chars(header.oem_table_id, table, OEM_TABLE_ID);
    header.oem_revision = detail::read_u32(table, OEM_REVISION);
    return header;
}

AcpiResult<std::span<const uint8_t>> load_table(const PhysicalReader& reader, lib::PhysAddr address,
                                                const char (&signature)[5]) {
    using mnos::Error;
    // The header first, on its own: the length field cannot be trusted before it is readable.
    auto header = reader.map(address, TABLE_HEADER_SIZE);
    if (!header)
        return refuse(Error::BadAddress, Fault::TableUnreadable);
    if (!detail::has_signature(*header, signature, 4))
        return refuse(Error::Malformed, Fault::TableSignature);
    uint32_t length = detail::read_u32(*header, LENGTH);
    if (length < TABLE_HEADER_SIZE)
        return refuse(Error::Malformed, Fault::TableTooShort);
    auto table = reader.map(address, length);
    if (!table)
        return refuse(Error::BadAddress, Fault::TableBeyondReadable);
    if (!detail::sums_to_zero(*table))
        return refuse(Error::Malformed, Fault::TableChecksum);
    return *table;
}

AcpiResult<std::span<const uint8_t>> check_table(std::span<const uint8_t> table,
                                                 const char (&signature)[5]) {
    using mnos::Error;
    if (table.size() < TABLE_HEADER_SIZE)
        return refuse(Error::Malformed, Fault::TableTooShort);
    if (!detail::has_signature(table, signature, 4))
        return refuse(Error::Malformed, Fault::TableSignature);
    uint32_t length = detail::read_u32(table, LENGTH);
    if (length < TABLE_HEADER_SIZE)
        return refuse(Error::Malformed, Fault::TableTooShort);
    if (length > table.size())
        return refuse(Error::BadAddress, Fault::TableBeyondReadable);
    table = table.first(length);
    if (!detail::sums_to_zero(table))
        return refuse(Error::Malformed, Fault::TableChecksum);
    return table;
}

AcpiResult<RootTable> RootTable::from_table(std::span<const uint8_t> table, Kind kind) {
    RootTable root;
    root.m_kind = kind;
    root.m_entries = table.subspan(TABLE_HEADER_SIZE);
    // A partial trailing entry means the length field and the entry list disagree; which one
    // is wrong cannot be known, so the whole table is refused.
    if (root.m_entries.size() % root.entry_size() != 0)
        return refuse(mnos::Error::Malformed, Fault::RootTableRemainder);
    return root;
}

lib::PhysAddr RootTable::entry(size_t index) const {
    size_t offset = index * entry_size();
    if (m_kind == Kind::Xsdt)
        return lib::PhysAddr(detail::read_u64(m_entries, offset));
    return lib::PhysAddr(detail::read_u32(m_entries, offset));
}

AcpiResult<std::span<const uint8_t>> TableDirectory::find(const char (&signature)[5],
                                                          size_t instance) const {
    std::optional<AcpiError> unreadable;
    for (size_t i = 0; i < m_root.entry_count(); ++i) {
        lib::PhysAddr address = m_root.entry(i);
        // Some firmware leaves zero entries in the root table; physical 0 is real RAM in the
        // HHDM, so a null entry must be skipped rather than read.
        if (address.is_null())
            continue;
        auto header = m_reader->map(address, TABLE_HEADER_SIZE);
        if (!header) {
            if (!unreadable)
                unreadable = AcpiError{mnos::Error::BadAddress, Fault::TableUnreadable};
            continue;
        }
        if (!detail::has_signature(*header, signature, 4))
            continue;
        if (instance-- != 0)
            continue;
        return load_table(*m_reader, address, signature);
    }
    if (unreadable)
        return std::unexpected(*unreadable);
    return refuse(mnos::Error::NotFound, Fault::TableNotFound);
}

namespace {

AcpiResult<RootTable> load_root(const PhysicalReader& reader, lib::PhysAddr address,
                                RootTable::Kind kind) {
    auto table = TRY(kind == RootTable::Kind::Xsdt ? load_table(reader, address, "XSDT")
                                                   : load_table(reader, address, "RSDT"));
    return RootTable::from_table(table, kind);
}

} // namespace

AcpiResult<TableDirectory> discover(const PhysicalReader& reader, lib::PhysAddr rsdp_address,
                                    bool rsdp_is_xsdp) {
    TableDirectory directory;
    directory.m_reader = &reader;
    directory.m_rsdp = TRY(parse_rsdp(reader, rsdp_address, rsdp_is_xsdp));
    const Rsdp& rsdp = directory.m_rsdp;

    if (rsdp.extended) {
        if (rsdp.xsdt.is_null()) {
            directory.m_xsdt_rejection = AcpiError{mnos::Error::NotFound, Fault::XsdtNull};
        } else {
            auto xsdt = load_root(reader, rsdp.xsdt, RootTable::Kind::Xsdt);
            if (xsdt) {
                directory.m_root = *xsdt;
                return directory;
            }
            directory.m_xsdt_rejection = xsdt.error();
        }
    }

    if (rsdp.rsdt.is_null())
        return refuse(mnos::Error::NotFound, Fault::RsdtNull);
    directory.m_root = TRY(load_root(reader, rsdp.rsdt, RootTable::Kind::Rsdt));
    return directory;
}

} // namespace kernel::acpi
