// Bus enumeration: every function reachable from a root bus through PCI-to-PCI bridges, with
// its IDs, class, BARs (sized) and capabilities. Firmware has assigned bus numbers and
// addresses on every machine MinimalOS boots on (SeaBIOS and OVMF both do), so enumeration
// reads and sizes; it assigns nothing. A function whose configuration space fails a check is
// recorded as refused with the reason and left out; a bridge that is refused, or that leads to
// a bus already reached, is not followed, so the walk ends on any input: each bus is scanned at
// most once, each scan is 32 devices x 8 functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lib/pci/bar.h"
#include "lib/pci/capabilities.h"
#include "lib/pci/config_space.h"
#include "lib/pci/error.h"

namespace lib::pci {

enum class HeaderKind : uint8_t { Device = 0, Bridge = 1, CardBus = 2 };

struct Device {
    Bdf bdf;
    uint16_t vendor_id = 0;
    uint16_t device_id = 0;
    uint8_t class_code = 0;
    uint8_t subclass = 0;
    uint8_t prog_if = 0;
    uint8_t revision = 0;
    HeaderKind header = HeaderKind::Device;
    uint8_t interrupt_pin = 0;  // 0 none, 1-4 INTA#-INTD#
    uint8_t interrupt_line = 0; // what firmware wrote there; a hint only
    uint8_t secondary_bus = 0;  // bridges
    uint8_t subordinate_bus = 0;
    uint8_t bar_count = 0;      // BARs the header has (6, 2 or 0 for CardBus)
    Bars bars{};
    CapabilityList caps;

    const char* class_name() const;
};

struct Refusal {
    Bdf bdf;
    uint16_t vendor_id = 0;
    uint16_t device_id = 0;
    PciError error{};
};

class Inventory {
public:
    static constexpr size_t MAX_DEVICES = 64;
    static constexpr size_t MAX_REFUSALS = 16;

    const Device* begin() const { return m_devices.data(); }
    const Device* end() const { return m_devices.data() + m_device_count; }
    size_t size() const { return m_device_count; }
    const Device& operator[](size_t i) const { return m_devices[i]; }
    const Device* find(Bdf bdf) const;

    const Refusal* refusals_begin() const { return m_refusals.data(); }
    const Refusal* refusals_end() const { return m_refusals.data() + m_refusal_count; }
    size_t refusal_count() const { return m_refusal_count; }

    uint32_t buses_scanned() const { return m_buses_scanned; }
    // Bridges whose secondary bus is 0 (firmware left them unconfigured): listed, not followed.
    uint32_t unconfigured_bridges() const { return m_unconfigured_bridges; }
    // Functions or refusals beyond the capacities, counted only.
    uint32_t dropped() const { return m_dropped; }

private:
    friend class Walker;
    friend void enumerate(ConfigSpace&, Inventory&, uint8_t, uint8_t);
    // In place: an Inventory is tens of KiB, too large for a temporary on a kernel stack.
    void clear();
    void add(const Device& device);
    void refuse(Bdf bdf, uint16_t vendor, uint16_t device, PciError error);

    std::array<Device, MAX_DEVICES> m_devices{};
    size_t m_device_count = 0;
    std::array<Refusal, MAX_REFUSALS> m_refusals{};
    size_t m_refusal_count = 0;
    uint32_t m_buses_scanned = 0;
    uint32_t m_unconfigured_bridges = 0;
    uint32_t m_dropped = 0;
};

// Reads one function (which must exist: its vendor ID is not NO_VENDOR) into `out`: header,
// BARs and capabilities, every check of bar.h and capabilities.h applied. Sizes BARs, so the
// function's decoding is briefly off.
PciResult<> probe_function(ConfigSpace& config, Bdf bdf, Device& out);

// Enumerates from `root_bus` into `out` (cleared first). `last_bus` is the highest bus the
// accessor reaches (an ECAM window's end bus; 255 for the I/O ports); a bridge to a bus beyond
// it is not followed.
void enumerate(ConfigSpace& config, Inventory& out, uint8_t root_bus = 0, uint8_t last_bus = 255);

} // namespace lib::pci
