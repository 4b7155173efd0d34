#include "kernel/pci/bus.h"

#include <optional>

#include "kernel/acpi/platform.h"
#include "kernel/debug/log.h"
#include "kernel/pci/ecam_config_space.h"
#include "kernel/pci/port_config_space.h"

namespace kernel::pci {

namespace {

using lib::pci::Device;

constinit lib::pci::Inventory g_inventory; // tens of KiB: static storage, not the boot stack
constinit std::optional<EcamConfigSpace> g_ecam;
constinit PortConfigSpace g_ports;
constinit lib::pci::ConfigSpace* g_config = nullptr;

void log_device(const Device& d) {
    kprintln("pci: {:02x}:{:02x}.{} {:04x}:{:04x} {}", d.bdf.bus, d.bdf.device, d.bdf.function,
             d.vendor_id, d.device_id, d.class_name());
    if (d.header == lib::pci::HeaderKind::Bridge)
        kprintln("pci:   bridge to buses {}-{}", d.secondary_bus, d.subordinate_bus);
    if (d.caps.msix)
        kprintln("pci:   MSI-X: {} vectors, table in BAR {}", d.caps.msix->table_size,
                 d.caps.msix->table_bar);
    else if (d.caps.msi)
        kprintln("pci:   MSI: {} vectors", d.caps.msi->vectors);
    if (d.caps.virtio_count > 0)
        kprintln("pci:   virtio: {} structures", d.caps.virtio_count);
}

void log_refusal(const lib::pci::Refusal& r) {
    kprintln(LogColour::Warning, "pci: {:02x}:{:02x}.{} {:04x}:{:04x} refused ({}: {})",
             r.bdf.bus, r.bdf.device, r.bdf.function, r.vendor_id, r.device_id,
             mnos::error_name(r.error.code), r.error.reason());
}

// The segment 0 window that holds the root bus, if the firmware's MCFG has one.
std::optional<acpi::EcamWindow> root_window() {
    auto mcfg = acpi::platform_mcfg();
    if (!mcfg)
        return std::nullopt;
    for (const acpi::EcamWindow& w : (*mcfg)->windows())
        if (w.segment == 0)
            return w;
    return std::nullopt;
}

} // namespace

void init_pci() {
    uint8_t root_bus = 0, last_bus = 255;
    if (auto window = root_window()) {
        g_ecam.emplace(*window);
        g_config = &*g_ecam;
        root_bus = window->start_bus;
        last_bus = window->end_bus;
        kprintln("pci: ECAM at {:#x}, buses {}-{} (MCFG)", window->base.value(), root_bus,
                 last_bus);
    } else if (PortConfigSpace::present()) {
        g_config = &g_ports;
        kprintln("pci: configuration ports 0xcf8/0xcfc (no MCFG)");
    } else {
        kprintln(LogColour::Warning, "pci: no configuration access mechanism; no devices");
        return;
    }
    lib::pci::enumerate(*g_config, g_inventory, root_bus, last_bus);
    for (const Device& d : g_inventory)
        log_device(d);
    for (auto r = g_inventory.refusals_begin(); r != g_inventory.refusals_end(); ++r)
        log_refusal(*r);
    kprintln("pci: {} functions on {} buses, {} refused, {} unconfigured bridges, {} dropped",
             g_inventory.size(), g_inventory.buses_scanned(), g_inventory.refusal_count(),
             g_inventory.unconfigured_bridges(), g_inventory.dropped());
}

const lib::pci::Inventory& inventory() { return g_inventory; }

lib::pci::ConfigSpace* config_space() { return g_config; }

} // namespace kernel::pci
