// System description tables: the common 36-byte header, the root table (XSDT or RSDT) and the
// directory the kernel looks tables up in. Every table handed out has passed the same checks:
// readable header, expected signature, length >= 36, length within readable memory, and a
// zero checksum over the whole length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "kernel/acpi/diagnostic.h"
#include "kernel/acpi/physical_reader.h"
#include "kernel/acpi/rsdp.h"
#include "lib/address.h"

namespace kernel::acpi {

inline constexpr uint64_t TABLE_HEADER_SIZE = 36;

// The decoded common header ("System Description Table Header" in the spec).
struct TableHeader {
    char signature[4] = {};
    uint32_t length = 0;
    uint8_t revision = 0;
    char oem_id[6] = {};
    char oem_table_id[8] = {};
    uint32_t oem_revision = 0;
};

// Decodes the header of `table`, which must hold at least TABLE_HEADER_SIZE bytes.
TableHeader decode_header(std::span<const uint8_t> table);

// Maps and validates the table at `address`. `signature` is the 4-character signature it must
// carry (a string literal, so its length is checked at compile time); the result spans exactly
// the table's declared length.
AcpiResult<std::span<const uint8_t>> load_table(const PhysicalReader& reader, lib::PhysAddr address,
                                                const char (&signature)[5]);

// Checks a table handed over as bytes, as a parser must (it cannot know the span came from
// load_table): at least the header, `signature`, 36 <= length <= the span's size, and a zero
// checksum over the length. The result spans exactly the declared length.
AcpiResult<std::span<const uint8_t>> check_table(std::span<const uint8_t> table,
                                                 const char (&signature)[5]);

// The root table's entry list: 8-byte physical addresses in an XSDT, 4-byte ones in an RSDT.
class RootTable {
public:
    enum class Kind : uint8_t { Xsdt, Rsdt };

    RootTable() = default;
    // `table` is a validated XSDT or RSDT; fails if its entry area leaves a partial entry.
    static AcpiResult<RootTable> from_table(std::span<const uint8_t> table, Kind kind);

    Kind kind() const { return m_kind; }
    size_t entry_size() const { return m_kind == Kind::Xsdt ? 8 : 4; }
    size_t entry_count() const { return m_entries.size() / entry_size(); }
    lib::PhysAddr entry(size_t index) const; // index < entry_count()

private:
    std::span<const uint8_t> m_entries; // the bytes after the header
    Kind m_kind = Kind::Rsdt;
};

// The result of discovery: the RSDP, the root table in use, and why the XSDT was passed over
// if it was. Holds a pointer to the reader, which must outlive it (the kernel's HHDM reader is
// static; a host test's lives on its stack for the length of the test).
class TableDirectory {
public:
    const Rsdp& rsdp() const { return m_rsdp; }
    const RootTable& root() const { return m_root; }
    bool uses_xsdt() const { return m_root.kind() == RootTable::Kind::Xsdt; }
    // Set when the RSDP offered an XSDT (revision >= 2) but the RSDT is used instead.
    const std::optional<AcpiError>& xsdt_rejection() const { return m_xsdt_rejection; }

    // The `instance`-th (from 0) table with `signature` (4 characters), fully validated.
    // Null root entries and entries whose header cannot be read are skipped; if the table is
    // not found and some entry could not be read, the result is that unreadable-entry error
    // (the table may have been behind it), otherwise NotFound/TableNotFound. A table found
    // with the right signature but failing validation is refused, not skipped.
    AcpiResult<std::span<const uint8_t>> find(const char (&signature)[5],
                                              size_t instance = 0) const;

private:
    friend AcpiResult<TableDirectory> discover(const PhysicalReader&, lib::PhysAddr, bool);

    const PhysicalReader* m_reader = nullptr;
    Rsdp m_rsdp;
    RootTable m_root;
    std::optional<AcpiError> m_xsdt_rejection;
};

// From the RSDP to a usable root table. Prefers the XSDT when the RSDP is revision >= 2 (and
// `rsdp_is_xsdp`, see parse_rsdp) with a non-zero XSDT address that validates; otherwise, or
// if the XSDT fails any check, uses the RSDT and records why in xsdt_rejection(). Fails if the
// RSDP is invalid or neither root table validates (the error is then the RSDT's).
AcpiResult<TableDirectory> discover(const PhysicalReader& reader, lib::PhysAddr rsdp_address,
                                    bool rsdp_is_xsdp);
// The directory keeps a pointer to the reader: a temporary one would dangle.
AcpiResult<TableDirectory> discover(const PhysicalReader&& reader, lib::PhysAddr rsdp_address,
                                    bool rsdp_is_xsdp) = delete;

} // namespace kernel::acpi
