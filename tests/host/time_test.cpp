// Civil dates and Unix time (lib/time/civil.h) and the CMOS clock's registers decoded
// (lib/time/cmos_clock.h): BCD and binary, 12- and 24-hour, and every kind of nonsense refused.
#include <gtest/gtest.h>

#include "lib/time/civil.h"
#include "lib/time/cmos_clock.h"

namespace {

using lib::time::civil_from_unix;
using lib::time::CivilTime;
using lib::time::CmosReading;
namespace cmos = lib::time::cmos;

constexpr uint8_t BCD_24H = cmos::STATUS_B_24_HOUR;
constexpr uint8_t BINARY_24H = cmos::STATUS_B_24_HOUR | cmos::STATUS_B_BINARY;

TEST(CivilTime, KnownDatesHaveTheirUnixTimes) {
    EXPECT_EQ(lib::time::unix_seconds({1970, 1, 1, 0, 0, 0}), 0u);
    EXPECT_EQ(lib::time::unix_seconds({2000, 3, 1, 0, 0, 0}), 951868800u); // after a leap day
    EXPECT_EQ(lib::time::unix_seconds({2026, 12, 7, 9, 30, 15}), 1796635815u);
    EXPECT_EQ(lib::time::unix_seconds({2038, 1, 19, 3, 14, 8}), 2147483648u);
}

TEST(CivilTime, ConvertingBackGivesTheSameDateForEveryDayOfFourCenturies) {
    for (uint64_t day = 0; day < 146097; day += 1) {
        uint64_t seconds = day * 86400 + day % 86400;
        CivilTime t = civil_from_unix(seconds);
        ASSERT_TRUE(lib::time::is_valid(t)) << day;
        ASSERT_EQ(lib::time::unix_seconds(t), seconds) << day;
    }
}

TEST(CivilTime, LeapYearsAndMonthLengths) {
    EXPECT_TRUE(lib::time::is_leap_year(2000));
    EXPECT_FALSE(lib::time::is_leap_year(2100));
    EXPECT_TRUE(lib::time::is_leap_year(2028));
    EXPECT_EQ(lib::time::days_in_month(2028, 2), 29u);
    EXPECT_EQ(lib::time::days_in_month(2027, 2), 28u);
    EXPECT_FALSE(lib::time::is_valid({2027, 2, 29, 0, 0, 0}));
    EXPECT_FALSE(lib::time::is_valid({2027, 4, 31, 0, 0, 0}));
    EXPECT_FALSE(lib::time::is_valid({2027, 13, 1, 0, 0, 0}));
}

TEST(CmosClock, BcdIn24HourForm) {
    CmosReading r{.second = 0x15, .minute = 0x30, .hour = 0x09, .day = 0x07, .month = 0x12,
                  .year = 0x26, .status_b = BCD_24H};
    EXPECT_EQ(*lib::time::unix_seconds_from_cmos(r), 1796635815u);
}

TEST(CmosClock, BinaryIn24HourForm) {
    CmosReading r{.second = 15, .minute = 30, .hour = 21, .day = 7, .month = 12, .year = 26,
                  .status_b = BINARY_24H};
    EXPECT_EQ(*lib::time::unix_seconds_from_cmos(r), 1796635815u + 12 * 3600);
}

TEST(CmosClock, TwelveHourFormWithItsPmBit) {
    CmosReading r{.second = 0, .minute = 0, .hour = 0x12, .day = 1, .month = 1, .year = 0x30,
                  .status_b = 0};
    uint64_t midnight = lib::time::unix_seconds({2030, 1, 1, 0, 0, 0});
    EXPECT_EQ(*lib::time::unix_seconds_from_cmos(r), midnight); // 12 AM
    r.hour = 0x12 | cmos::HOUR_PM;
    EXPECT_EQ(*lib::time::unix_seconds_from_cmos(r), midnight + 12 * 3600); // 12 PM
    r.hour = 0x09 | cmos::HOUR_PM;
    EXPECT_EQ(*lib::time::unix_seconds_from_cmos(r), midnight + 21 * 3600);
    r.hour = 0x13;
    EXPECT_FALSE(lib::time::unix_seconds_from_cmos(r));
    r.hour = 0x00;
    EXPECT_FALSE(lib::time::unix_seconds_from_cmos(r));
}

TEST(CmosClock, TwoDigitYearsPivotAt1970) {
    CmosReading r{.second = 0, .minute = 0, .hour = 0, .day = 1, .month = 1, .year = 0x70,
                  .status_b = BCD_24H};
    EXPECT_EQ(*lib::time::unix_seconds_from_cmos(r), 0u);
    r.year = 0x69;
    EXPECT_EQ(*lib::time::unix_seconds_from_cmos(r), lib::time::unix_seconds({2069, 1, 1, 0, 0, 0}));
}

TEST(CmosClock, NonsenseIsRefused) {
    CmosReading good{.second = 0x15, .minute = 0x30, .hour = 0x09, .day = 0x07, .month = 0x12,
                     .year = 0x26, .status_b = BCD_24H};
    ASSERT_TRUE(lib::time::unix_seconds_from_cmos(good));
    CmosReading absent{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; // nothing on the bus
    EXPECT_FALSE(lib::time::unix_seconds_from_cmos(absent));
    auto with = [&](auto change) {
        CmosReading r = good;
        change(r);
        return lib::time::unix_seconds_from_cmos(r).has_value();
    };
    EXPECT_FALSE(with([](CmosReading& r) { r.second = 0x1a; })); // not a BCD digit
    EXPECT_FALSE(with([](CmosReading& r) { r.second = 0x60; }));
    EXPECT_FALSE(with([](CmosReading& r) { r.minute = 0x60; }));
    EXPECT_FALSE(with([](CmosReading& r) { r.hour = 0x24; }));
    EXPECT_FALSE(with([](CmosReading& r) { r.day = 0x00; }));
    EXPECT_FALSE(with([](CmosReading& r) { r.day = 0x32; }));
    EXPECT_FALSE(with([](CmosReading& r) { r.month = 0x02; r.day = 0x30; }));
    EXPECT_FALSE(with([](CmosReading& r) { r.month = 0x13; }));
    EXPECT_FALSE(with([](CmosReading& r) { r.status_b = BINARY_24H; r.year = 100; }));
}

} // namespace
