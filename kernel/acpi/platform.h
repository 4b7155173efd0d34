// The kernel's view of the firmware's ACPI tables: at phase 3 the RSDP from BootInfo leads to
// the MADT, the MCFG and the FADT, read through the HHDM. A missing or malformed MADT is logged
// with its reason and replaced by Madt::legacy_fallback, so platform_madt() is always usable
// afterwards. The MCFG locates PCI Express's ECAM windows; the FADT gives the power-management
// ports init needs to power the machine off.
#pragma once

#include <optional>

#include "kernel/acpi/fadt.h"
#include "kernel/acpi/madt.h"
#include "kernel/acpi/mcfg.h"
#include "kernel/boot/boot_info.h"

namespace kernel::acpi {

// Loads the MADT and logs "acpi: <XSDT|RSDT>, MADT: N CPUs, M I/O APICs, K overrides" (or why
// the fallback is used). `bsp_apic_id` is the boot processor's, for the fallback topology.
void init_platform(const BootInfo& boot_info, uint32_t bsp_apic_id);

Madt& platform_madt();

// The MCFG that init_platform loaded, or why there is none (NotFound on machines without
// PCI Express, such as QEMU's pc; Malformed and the fault when the firmware's was refused).
AcpiResult<const Mcfg*> platform_mcfg();
// The FADT's power-management ports, if the firmware gave a usable FADT (logged either way).
const std::optional<PowerControl>& platform_power_control();

} // namespace kernel::acpi
