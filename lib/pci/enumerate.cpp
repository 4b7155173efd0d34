#include "lib/pci/enumerate.h"

#include "lib/pci/class_names.h"
#include "lib/result.h"

namespace lib::pci {

const char* Device::class_name() const { return pci::class_name(class_code, subclass, prog_if); }

const Device* Inventory::find(Bdf bdf) const {
    for (const Device& d : *this)
        if (d.bdf == bdf)
            return &d;
    return nullptr;
}

void Inventory::clear() {
    // Only the counts bound what is visible, so stale array contents need no clearing.
    m_device_count = 0;
    m_refusal_count = 0;
    m_buses_scanned = 0;
    m_unconfigured_bridges = 0;
    m_dropped = 0;
}

void Inventory::add(const Device& device) {
    if (m_device_count == MAX_DEVICES) {
        ++m_dropped;
        return;
    }
    m_devices[m_device_count++] = device;
}

void Inventory::refuse(Bdf bdf, uint16_t vendor, uint16_t device, PciError error) {
    if (m_refusal_count == MAX_REFUSALS) {
        ++m_dropped;
        return;
    }
    m_refusals[m_refusal_count++] = {bdf, vendor, device, error};
}

PciResult<> probe_function(ConfigSpace& config, Bdf bdf, Device& out) {
    out = Device{};
    out.bdf = bdf;
    out.vendor_id = config.read16(bdf, reg::VENDOR_ID);
    out.device_id = config.read16(bdf, reg::DEVICE_ID);
    out.revision = config.read8(bdf, reg::REVISION);
    out.prog_if = config.read8(bdf, reg::PROG_IF);
    out.subclass = config.read8(bdf, reg::SUBCLASS);
    out.class_code = config.read8(bdf, reg::CLASS);
    out.interrupt_line = config.read8(bdf, reg::INTERRUPT_LINE);
    out.interrupt_pin = config.read8(bdf, reg::INTERRUPT_PIN);
    uint8_t layout = config.read8(bdf, reg::HEADER_TYPE) & HEADER_LAYOUT;
    switch (layout) {
    case uint8_t(HeaderKind::Device): out.bar_count = MAX_BARS; break;
    case uint8_t(HeaderKind::Bridge):
        out.bar_count = BRIDGE_BARS;
        out.secondary_bus = config.read8(bdf, reg::SECONDARY_BUS);
        out.subordinate_bus = config.read8(bdf, reg::SUBORDINATE_BUS);
        break;
    // A CardBus bridge's registers past 0x10 are laid out differently (its capability pointer
    // is at 0x14 and it has one BAR); it is listed with its IDs only.
    case uint8_t(HeaderKind::CardBus): out.header = HeaderKind::CardBus; return {};
    default: return refuse(Fault::HeaderLayout);
    }
    out.header = HeaderKind(layout);
    TRY(size_bars(config, bdf, out.bar_count, out.bars));
    TRY(walk_capabilities(config, bdf, out.vendor_id, out.caps));
    TRY(check_capability_regions(out.caps, out.bars));
    return {};
}

// One enumeration: the queue of buses still to scan and which were reached.
class Walker {
public:
    Walker(ConfigSpace& config, Inventory& out, uint8_t last_bus)
        : m_config(config), m_out(out), m_last_bus(last_bus) {}

    void run(uint8_t root_bus) {
        reach(root_bus);
        while (m_head != m_tail)
            scan_bus(m_queue[m_head++]);
    }

private:
    // Each bus enters the queue at most once, so 256 entries always suffice.
    void reach(uint8_t bus) {
        m_reached[bus] = true;
        m_queue[m_tail++] = bus;
    }

    void scan_bus(uint8_t bus) {
        ++m_out.m_buses_scanned;
        for (uint8_t device = 0; device < DEVICES_PER_BUS; ++device) {
            Bdf first{bus, device, 0};
            if (m_config.read16(first, reg::VENDOR_ID) == NO_VENDOR)
                continue;
            bool multifunction = m_config.read8(first, reg::HEADER_TYPE) & HEADER_MULTIFUNCTION;
            uint8_t functions = multifunction ? FUNCTIONS_PER_DEVICE : 1;
            for (uint8_t function = 0; function < functions; ++function) {
                Bdf bdf{bus, device, function};
                if (m_config.read16(bdf, reg::VENDOR_ID) != NO_VENDOR)
                    scan_function(bdf);
            }
        }
    }

    void scan_function(Bdf bdf) {
        Device device;
        if (auto probed = probe_function(m_config, bdf, device); !probed) {
            m_out.refuse(bdf, device.vendor_id, device.device_id, probed.error());
            return;
        }
        if (device.header == HeaderKind::Bridge) {
            if (auto followed = follow_bridge(device); !followed) {
                m_out.refuse(bdf, device.vendor_id, device.device_id, followed.error());
                return;
            }
        }
        m_out.add(device);
    }

    PciResult<> follow_bridge(const Device& bridge) {
        uint8_t secondary = bridge.secondary_bus;
        if (secondary == 0) {
            ++m_out.m_unconfigured_bridges;
            return {};
        }
        if (secondary <= bridge.bdf.bus)
            return refuse(Fault::BridgeBusOrder);
        if (m_reached[secondary])
            return refuse(Fault::BridgeBusLoop);
        if (secondary <= m_last_bus)
            reach(secondary);
        return {};
    }

    ConfigSpace& m_config;
    Inventory& m_out;
    uint8_t m_last_bus;
    bool m_reached[256] = {};
    uint8_t m_queue[256] = {};
    size_t m_head = 0, m_tail = 0;
};

void enumerate(ConfigSpace& config, Inventory& out, uint8_t root_bus, uint8_t last_bus) {
    out.clear();
    Walker(config, out, last_bus).run(root_bus);
}

} // namespace lib::pci
