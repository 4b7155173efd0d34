// The Root System Description Pointer: the firmware's signpost to the root table (RSDT, and on
// ACPI 2.0+ also the XSDT). The boot loader hands its physical address over in BootInfo.
#pragma once

#include <cstdint>

#include "kernel/acpi/diagnostic.h"
#include "kernel/acpi/physical_reader.h"
#include "lib/address.h"

namespace kernel::acpi {

struct Rsdp {
    static constexpr uint64_t V1_SIZE = 20; // ACPI 1.0 structure, covered by `checksum`
    static constexpr uint64_t V2_SIZE = 36; // ACPI 2.0+ structure, covered by `extended checksum`

    uint8_t revision = 0; // 0 for ACPI 1.0; 2 and up for the extended structure
    char oem_id[6] = {};
    lib::PhysAddr rsdt;    // 32-bit physical address; may be zero on some 2.0+ systems
    lib::PhysAddr xsdt;    // null unless the extended structure was read and validated
    bool extended = false; // the 36-byte structure was read and its extended checksum holds
};

// Reads and validates the RSDP at `address`: signature "RSD PTR ", the 20-byte checksum, and,
// when `may_be_extended` and revision >= 2, the length (>= 36) and the checksum over it.
// `may_be_extended` is BootInfo::rsdp_is_xsdp: a loader that copied only the 20-byte ACPI 1.0
// structure must not have the 2.0 fields read past its copy, whatever the revision byte says.
AcpiResult<Rsdp> parse_rsdp(const PhysicalReader& reader, lib::PhysAddr address,
                            bool may_be_extended);

} // namespace kernel::acpi
