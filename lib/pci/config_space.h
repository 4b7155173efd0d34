// PCI configuration space as the parser sees it: an abstract accessor, so the same enumeration
// code runs over the kernel's ECAM window, over the 0xCF8/0xCFC ports, in a Ring 3 bus service
// or over a synthetic device model in the host tests. Only the first 256 bytes (what both
// mechanisms reach) are used. Register offsets follow the PCI Local Bus Specification 3.0,
// section 6.1, and the PCI-to-PCI Bridge Architecture Specification 1.2, section 3.2.
#pragma once

#include <cstdint>

namespace lib::pci {

// Bus, device (0-31) and function (0-7) of one function on segment 0.
struct Bdf {
    uint8_t bus = 0;
    uint8_t device = 0;
    uint8_t function = 0;
    constexpr bool operator==(const Bdf&) const = default;
};

inline constexpr uint8_t DEVICES_PER_BUS = 32;
inline constexpr uint8_t FUNCTIONS_PER_DEVICE = 8;
inline constexpr uint16_t CONFIG_SPACE_SIZE = 256; // the part both access mechanisms reach

class ConfigSpace {
public:
    // `offset` is 4-byte aligned and below CONFIG_SPACE_SIZE; a function that does not exist
    // reads as all ones (the bus master abort value), as hardware does.
    virtual uint32_t read32(Bdf bdf, uint16_t offset) = 0;
    virtual void write32(Bdf bdf, uint16_t offset, uint32_t value) = 0;
    // A 16-bit write, 2-byte aligned: the command register must be written without touching the
    // status register beside it, whose bits are cleared by writing ones.
    virtual void write16(Bdf bdf, uint16_t offset, uint16_t value) = 0;

    uint16_t read16(Bdf bdf, uint16_t offset) {
        return uint16_t(read32(bdf, offset & ~3u) >> ((offset & 2) * 8));
    }
    uint8_t read8(Bdf bdf, uint16_t offset) {
        return uint8_t(read32(bdf, offset & ~3u) >> ((offset & 3) * 8));
    }

protected:
    ~ConfigSpace() = default;
};

// The type 0 and type 1 header registers this code reads.
namespace reg {
inline constexpr uint16_t VENDOR_ID = 0x00;
inline constexpr uint16_t DEVICE_ID = 0x02;
inline constexpr uint16_t COMMAND = 0x04;
inline constexpr uint16_t STATUS = 0x06;
inline constexpr uint16_t REVISION = 0x08;
inline constexpr uint16_t PROG_IF = 0x09;
inline constexpr uint16_t SUBCLASS = 0x0a;
inline constexpr uint16_t CLASS = 0x0b;
inline constexpr uint16_t HEADER_TYPE = 0x0e;
inline constexpr uint16_t BAR0 = 0x10;
inline constexpr uint16_t PRIMARY_BUS = 0x18;   // type 1
inline constexpr uint16_t SECONDARY_BUS = 0x19; // type 1
inline constexpr uint16_t SUBORDINATE_BUS = 0x1a; // type 1
inline constexpr uint16_t CAPABILITIES = 0x34;
inline constexpr uint16_t INTERRUPT_LINE = 0x3c;
inline constexpr uint16_t INTERRUPT_PIN = 0x3d;
} // namespace reg

inline constexpr uint16_t COMMAND_IO = 1u << 0;
inline constexpr uint16_t COMMAND_MEMORY = 1u << 1;
inline constexpr uint16_t COMMAND_BUS_MASTER = 1u << 2;
inline constexpr uint16_t STATUS_CAPABILITIES = 1u << 4;
inline constexpr uint8_t HEADER_MULTIFUNCTION = 0x80;
inline constexpr uint8_t HEADER_LAYOUT = 0x7f;
inline constexpr uint16_t NO_VENDOR = 0xffff;

} // namespace lib::pci
