// The CMOS real-time clock's registers, decoded: what the kernel reads through ports 0x70/0x71
// at boot, turned into Unix time. The chip keeps its fields in BCD or binary and its hour in
// 12- or 24-hour form, as status register B says; a field out of range (a chip that is absent,
// reads 0xff, or was set to nonsense) is refused, never turned into a time.
#pragma once

#include <cstdint>

#include "lib/result.h"

namespace lib::time {

// CMOS register numbers (the MC146818 layout every PC and QEMU keep).
namespace cmos {
inline constexpr uint8_t SECONDS = 0x00, MINUTES = 0x02, HOURS = 0x04, DAY = 0x07, MONTH = 0x08,
                         YEAR = 0x09, STATUS_A = 0x0a, STATUS_B = 0x0b;
inline constexpr uint8_t STATUS_A_UPDATING = 0x80; // the fields are changing: read again later
inline constexpr uint8_t STATUS_B_24_HOUR = 0x02, STATUS_B_BINARY = 0x04;
inline constexpr uint8_t HOUR_PM = 0x80; // in 12-hour form
} // namespace cmos

struct CmosReading {
    uint8_t second, minute, hour, day, month, year;
    uint8_t status_b;

    bool operator==(const CmosReading&) const = default;
};

// Seconds since 1970-01-01 00:00:00 UTC (the chip is kept in UTC, as QEMU's is by default).
// The chip's year has two digits: 70..99 are 19xx and 00..69 are 20xx. (The FADT may name a
// century register; its position is not standard enough to trust before 2070.)
Result<uint64_t> unix_seconds_from_cmos(const CmosReading& reading);

} // namespace lib::time
