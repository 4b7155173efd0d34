#include "kernel/acpi/fadt.h"

#include "kernel/acpi/bytes.h"

namespace kernel::acpi {

namespace {

// Byte offsets in the FADT (ACPI 6.5, table 5.9): the 32-bit PM1a and PM1b control block
// addresses, which are I/O ports on every PC chipset.
constexpr size_t PM1A_CNT_BLK = 64;
constexpr size_t PM1B_CNT_BLK = 68;
constexpr size_t PM1_FIELDS_END = 72;

} // namespace

AcpiResult<PowerControl> parse_fadt(std::span<const uint8_t> table) {
    using detail::read_u32;
    if (table.size() < PM1_FIELDS_END)
        return refuse(mnos::Error::Malformed, Fault::FadtTooShort);
    uint32_t a = read_u32(table, PM1A_CNT_BLK);
    uint32_t b = read_u32(table, PM1B_CNT_BLK);
    // A port is 16 bits; a block above that is not an I/O port this kernel can use.
    if (a == 0 || a > 0xffff || b > 0xffff)
        return refuse(mnos::Error::Malformed, Fault::FadtNoPowerControl);
    return PowerControl{uint16_t(a), uint16_t(b)};
}

} // namespace kernel::acpi
