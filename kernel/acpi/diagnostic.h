// Why an ACPI structure was refused. Firmware tables are untrusted input: every check that can
// fail has its own Fault, so the kernel log (and a host test) can say exactly what was wrong
// instead of a bare "malformed". The mnos::Error code is what callers branch on; the Fault and
// its static text are for people.
#pragma once

#include <cstdint>
#include <expected>

#include "abi/error.h"

namespace kernel::acpi {

enum class Fault : uint8_t {
    RsdpNull,                 // the boot loader reported no RSDP
    RsdpUnreadable,           // the RSDP (or its 2.0 extension) is outside readable memory
    RsdpSignature,            // not "RSD PTR "
    RsdpChecksum,             // ACPI 1.0 checksum over the first 20 bytes
    RsdpLength,               // ACPI 2.0+ length field smaller than the 36-byte structure
    RsdpExtendedChecksum,     // ACPI 2.0+ checksum over `length` bytes
    XsdtNull,                 // revision >= 2 but the XSDT address is zero
    RsdtNull,                 // the RSDT address is zero (and there is no usable XSDT)
    TableUnreadable,          // a table's 36-byte header is outside readable memory
    TableSignature,           // a table does not carry the signature it was looked up by
    TableTooShort,            // length field smaller than the 36-byte header
    TableBeyondReadable,      // length field runs past readable memory
    TableChecksum,            // bytes of the table do not sum to zero
    RootTableRemainder,       // XSDT/RSDT length leaves a partial 8/4-byte entry
    TableNotFound,            // no table with that signature in the root table
    MadtTooShort,             // MADT shorter than its 44-byte fixed part
    MadtEntryTooShort,        // an entry's length byte is below 2 (would not advance)
    MadtEntryOverrun,         // an entry runs past the end of the MADT
    MadtEntryTooSmallForType, // an entry is shorter than its type's layout
    MadtNoProcessors,         // no enabled or online-capable processor is listed
    McfgTooShort,             // MCFG shorter than its 44-byte fixed part
    McfgRemainder,            // MCFG length leaves a partial 16-byte allocation entry
    McfgNoEntries,            // MCFG lists no configuration space allocation
    McfgBusRange,             // an allocation's end bus is below its start bus
    McfgBaseUnaligned,        // an ECAM base is not aligned to 1 MiB (one bus)
    McfgWindowOverflow,       // an ECAM window runs past the top of the physical address space
    McfgOverlap,              // two allocations of one segment claim the same bus
    FadtTooShort,             // FADT shorter than its PM1 control block fields
    FadtNoPowerControl,       // FADT names no PM1a control port (or one above 0xffff)
};

constexpr const char* fault_reason(Fault fault) {
    switch (fault) {
    case Fault::RsdpNull: return "boot loader reported no RSDP";
    case Fault::RsdpUnreadable: return "RSDP lies outside readable physical memory";
    case Fault::RsdpSignature: return "RSDP signature is not \"RSD PTR \"";
    case Fault::RsdpChecksum: return "RSDP checksum over the first 20 bytes is not zero";
    case Fault::RsdpLength: return "RSDP length field is smaller than 36 bytes";
    case Fault::RsdpExtendedChecksum: return "RSDP extended checksum over its length is not zero";
    case Fault::XsdtNull: return "RSDP revision >= 2 but the XSDT address is zero";
    case Fault::RsdtNull: return "RSDT address is zero";
    case Fault::TableUnreadable: return "table header lies outside readable physical memory";
    case Fault::TableSignature: return "table signature does not match";
    case Fault::TableTooShort: return "table length is smaller than the 36-byte header";
    case Fault::TableBeyondReadable: return "table length runs past readable physical memory";
    case Fault::TableChecksum: return "table checksum is not zero";
    case Fault::RootTableRemainder: return "root table length leaves a partial entry";
    case Fault::TableNotFound: return "no table with that signature";
    case Fault::MadtTooShort: return "MADT is shorter than its 44-byte fixed part";
    case Fault::MadtEntryTooShort: return "MADT entry length is below 2";
    case Fault::MadtEntryOverrun: return "MADT entry runs past the end of the table";
    case Fault::MadtEntryTooSmallForType: return "MADT entry is shorter than its type requires";
    case Fault::MadtNoProcessors: return "MADT lists no enabled or online-capable processor";
    case Fault::McfgTooShort: return "MCFG is shorter than its 44-byte fixed part";
    case Fault::McfgRemainder: return "MCFG length leaves a partial allocation entry";
    case Fault::McfgNoEntries: return "MCFG lists no configuration space allocation";
    case Fault::McfgBusRange: return "MCFG allocation ends below its start bus";
    case Fault::McfgBaseUnaligned: return "MCFG ECAM base is not 1 MiB aligned";
    case Fault::McfgWindowOverflow: return "MCFG ECAM window runs past the physical address space";
    case Fault::McfgOverlap: return "MCFG allocations of one segment overlap";
    case Fault::FadtTooShort: return "FADT is too short for its PM1 control block fields";
    case Fault::FadtNoPowerControl: return "FADT names no usable PM1a control port";
    }
    return "unknown ACPI fault";
}

// What went wrong: the code callers branch on plus the precise check that failed.
struct AcpiError {
    mnos::Error code;
    Fault fault;

    constexpr const char* reason() const { return fault_reason(fault); }
    constexpr bool operator==(const AcpiError&) const = default;
};

template <typename T = void> using AcpiResult = std::expected<T, AcpiError>;

constexpr std::unexpected<AcpiError> refuse(mnos::Error code, Fault fault) {
    return std::unexpected<AcpiError>(AcpiError{code, fault});
}

} // namespace kernel::acpi
