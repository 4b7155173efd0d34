// The FADT ("FACP"): of its many fields the kernel needs only where the power-management
// control blocks are, so that init can power the machine off (S5) through them. The table is a
// validated one from TableDirectory::find; a FADT too short for the PM1 fields, or one that
// names no PM1a control block, is refused.
#pragma once

#include <cstdint>
#include <span>

#include "kernel/acpi/diagnostic.h"

namespace kernel::acpi {

struct PowerControl {
    uint16_t pm1a_control = 0; // the I/O port of PM1a_CNT (never 0 once parsed)
    uint16_t pm1b_control = 0; // PM1b_CNT, or 0 when there is none
};

AcpiResult<PowerControl> parse_fadt(std::span<const uint8_t> table);

} // namespace kernel::acpi
