#include "lib/time/cmos_clock.h"

#include <optional>

#include "lib/time/civil.h"

namespace lib::time {

namespace {

// A field as a number, or nothing when a BCD field holds a digit above 9.
std::optional<uint32_t> field(uint8_t raw, bool binary) {
    if (binary)
        return raw;
    if ((raw & 0x0f) > 9 || (raw >> 4) > 9)
        return std::nullopt;
    return (raw >> 4) * 10u + (raw & 0x0f);
}

} // namespace

Result<uint64_t> unix_seconds_from_cmos(const CmosReading& r) {
    bool binary = r.status_b & cmos::STATUS_B_BINARY;
    bool pm = !(r.status_b & cmos::STATUS_B_24_HOUR) && (r.hour & cmos::HOUR_PM);
    uint8_t raw_hour = r.status_b & cmos::STATUS_B_24_HOUR ? r.hour : r.hour & ~cmos::HOUR_PM;
    auto second = field(r.second, binary), minute = field(r.minute, binary),
         hour = field(raw_hour, binary), day = field(r.day, binary),
         month = field(r.month, binary), year = field(r.year, binary);
    if (!second || !minute || !hour || !day || !month || !year || *year > 99)
        return fail(Error::InvalidArgument);
    if (!(r.status_b & cmos::STATUS_B_24_HOUR)) {
        if (*hour < 1 || *hour > 12)
            return fail(Error::InvalidArgument);
        *hour = *hour % 12 + (pm ? 12 : 0); // 12 AM is 0:00, 12 PM is 12:00
    }
    uint32_t full_year = (*year >= 70 ? 1900 : 2000) + *year;
    CivilTime t{full_year, *month, *day, *hour, *minute, *second};
    if (!is_valid(t))
        return fail(Error::InvalidArgument);
    return time::unix_seconds(t);
}

} // namespace lib::time
