// Civil (proleptic Gregorian, UTC) dates and Unix time: the conversions the CMOS clock's
// reading needs on its way in and the shell's `date` on its way out. Pure arithmetic on the
// day count from 1970-01-01, valid for every year from 1970 to beyond 9999.
#pragma once

#include <cstdint>

namespace lib::time {

struct CivilTime {
    uint32_t year;  // e.g. 2026
    uint32_t month; // 1..12
    uint32_t day;   // 1..31
    uint32_t hour, minute, second;
};

constexpr bool is_leap_year(uint32_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr uint32_t days_in_month(uint32_t year, uint32_t month) {
    constexpr uint8_t DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : DAYS[month - 1];
}

// Whether every field is in range (the day against its month's length).
constexpr bool is_valid(const CivilTime& t) {
    return t.year >= 1970 && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
           t.day <= days_in_month(t.year, t.month) && t.hour < 24 && t.minute < 60 &&
           t.second < 60;
}

// Days from 1970-01-01 to year-month-day. The year is counted from March, so that the leap
// day falls at the end of it; then whole 400-year eras of 146,097 days.
constexpr uint64_t days_from_civil(uint32_t year, uint32_t month, uint32_t day) {
    uint32_t y = month <= 2 ? year - 1 : year;
    uint32_t era = y / 400;
    uint32_t year_of_era = y - era * 400;
    uint32_t march_month = month > 2 ? month - 3 : month + 9; // March is 0
    uint32_t day_of_year = (153 * march_month + 2) / 5 + day - 1;
    uint32_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return uint64_t(era) * 146097 + day_of_era - 719468; // 719468: 0000-03-01 to 1970-01-01
}

constexpr uint64_t unix_seconds(const CivilTime& t) {
    return days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 +
           t.second;
}

// The inverse of unix_seconds.
constexpr CivilTime civil_from_unix(uint64_t seconds) {
    uint64_t days = seconds / 86400 + 719468;
    uint32_t rest = uint32_t(seconds % 86400);
    uint64_t era = days / 146097;
    uint32_t day_of_era = uint32_t(days - era * 146097);
    uint32_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    uint32_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    uint32_t march_month = (5 * day_of_year + 2) / 153;
    uint32_t day = day_of_year - (153 * march_month + 2) / 5 + 1;
    uint32_t month = march_month < 10 ? march_month + 3 : march_month - 9;
    uint32_t year = uint32_t(era * 400 + year_of_era) + (month <= 2 ? 1 : 0);
    return {year, month, day, rest / 3600, rest / 60 % 60, rest % 60};
}

} // namespace lib::time
