#include "kernel/acpi/platform.h"

#include "kernel/acpi/fadt.h"
#include "kernel/acpi/tables.h"
#include "kernel/debug/log.h"
#include "kernel/mm/hhdm.h"

namespace kernel::acpi {

namespace {

constinit Madt g_madt; // several KiB: static storage rather than the boot stack
constinit Mcfg g_mcfg;
constinit AcpiResult<> g_mcfg_status = refuse(mnos::Error::NotFound, Fault::TableNotFound);
constinit std::optional<PowerControl> g_power;

// The window the ACPI parser may read: physical 0 to 4 GiB through the HHDM. Phase 2 maps RAM,
// the ACPI regions and reserved ranges next to RAM there (where firmware keeps its tables), so
// every table a sane firmware points at is readable; a pointer beyond 4 GiB is refused with
// BadAddress. Known gap: a pointer into an unmapped hole below 4 GiB would fault instead.
const PhysicalReader g_reader(reinterpret_cast<const uint8_t*>(mm::HHDM_BASE), lib::PhysAddr(0),
                              mm::BOOT_HHDM_LIMIT);

void load_power_control(const BootInfo& boot_info) {
    auto directory = discover(g_reader, boot_info.rsdp, boot_info.rsdp_is_xsdp);
    auto table = directory ? directory->find("FACP") : std::unexpected(directory.error());
    auto power = table ? parse_fadt(*table) : std::unexpected(table.error());
    if (!power) {
        kprintln(LogColour::Warning, "acpi: no FADT power control ({}): poweroff cannot use ACPI",
                 power.error().reason());
        return;
    }
    g_power = *power;
    kprintln("acpi: FADT: PM1a control block at port {:#x}", power->pm1a_control);
}

} // namespace

void init_platform(const BootInfo& boot_info, uint32_t bsp_apic_id) {
    // Without an RSDP there is no MCFG either; the MADT line below says why.
    g_mcfg_status = load_mcfg(g_reader, boot_info.rsdp, boot_info.rsdp_is_xsdp, g_mcfg);
    if (!g_mcfg_status && g_mcfg_status.error().code != mnos::Error::NotFound)
        kprintln(LogColour::Warning, "acpi: MCFG refused ({}: {})",
                 mnos::error_name(g_mcfg_status.error().code), g_mcfg_status.error().reason());
    auto origin = load_madt(g_reader, boot_info.rsdp, boot_info.rsdp_is_xsdp, bsp_apic_id, g_madt);
    if (!origin) {
        kprintln(LogColour::Warning, "acpi: no usable MADT ({}: {}); legacy fallback: 1 CPU, "
                 "8259 PIC, no I/O APIC", mnos::error_name(origin.error().code),
                 origin.error().reason());
        load_power_control(boot_info);
        return;
    }
    if (origin->xsdt_rejection)
        kprintln(LogColour::Warning, "acpi: XSDT passed over: {}",
                 origin->xsdt_rejection->reason());
    kprintln("acpi: {}, MADT: {} CPUs, {} I/O APICs, {} overrides",
             origin->via_xsdt ? "XSDT" : "RSDT", g_madt.processors().size(),
             g_madt.io_apics().size(), g_madt.overrides().size());
    load_power_control(boot_info);
}

Madt& platform_madt() { return g_madt; }

AcpiResult<const Mcfg*> platform_mcfg() {
    if (!g_mcfg_status)
        return std::unexpected(g_mcfg_status.error());
    return &g_mcfg;
}
const std::optional<PowerControl>& platform_power_control() { return g_power; }

} // namespace kernel::acpi
