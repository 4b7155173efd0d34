#include <gtest/gtest.h>

#include <string>

#include "lib/format.h"

namespace {

template <typename... Args>
std::string fmt(lib::CheckedFormat<Args...> f, const Args&... args) {
    char buffer[256];
    lib::BufferOutput out(buffer, sizeof buffer);
    lib::format_to(out, f, args...);
    return std::string(out.view().data(), out.view().length());
}

enum class Colour : uint8_t { Red = 3 };

} // namespace

TEST(Format, Decimal) {
    EXPECT_EQ(fmt("{} {} {}", 0, 42u, -17), "0 42 -17");
    EXPECT_EQ(fmt("{}", INT64_MIN), "-9223372036854775808");
    EXPECT_EQ(fmt("{}", UINT64_MAX), "18446744073709551615");
}

TEST(Format, HexWithWidthAndPadding) {
    EXPECT_EQ(fmt("{:x}", 255), "ff");
    EXPECT_EQ(fmt("{:X}", 255), "FF");
    EXPECT_EQ(fmt("{:#x}", 255), "0xff");
    EXPECT_EQ(fmt("{:08x}", 0xbeefu), "0000beef");
    EXPECT_EQ(fmt("{:#010x}", 0xbeefu), "0x0000beef");
    EXPECT_EQ(fmt("{:b}", 5), "101");
}

TEST(Format, Alignment) {
    EXPECT_EQ(fmt("[{:5}]", 42), "[   42]");
    EXPECT_EQ(fmt("[{:<5}]", 42), "[42   ]");
    EXPECT_EQ(fmt("[{:*>6}]", "ab"), "[****ab]");
    EXPECT_EQ(fmt("[{:6}]", "ab"), "[ab    ]");
    EXPECT_EQ(fmt("[{:05}]", -42), "[-0042]");
}

TEST(Format, StringsCharsBools) {
    EXPECT_EQ(fmt("{} {}", "hello", lib::StringView("world")), "hello world");
    EXPECT_EQ(fmt("{}{}", 'o', 'k'), "ok");
    EXPECT_EQ(fmt("{} {}", true, false), "true false");
    const char* null_string = nullptr;
    EXPECT_EQ(fmt("{}", null_string), "(null)");
}

TEST(Format, PointersAndAddresses) {
    EXPECT_EQ(fmt("{}", reinterpret_cast<const void*>(0x1000)), "0x0000000000001000");
    EXPECT_EQ(fmt("{}", lib::PhysAddr(0x200000)), "0x0000000000200000");
    EXPECT_EQ(fmt("{}", lib::VirtAddr(0xffffffff80000000)), "0xffffffff80000000");
}

TEST(Format, EnumsPrintTheirValue) { EXPECT_EQ(fmt("{}", Colour::Red), "3"); }

TEST(Format, EscapedBraces) { EXPECT_EQ(fmt("{{{}}}", 7), "{7}"); }

TEST(Format, TruncatesInsteadOfOverflowing) {
    char buffer[8];
    lib::BufferOutput out(buffer, sizeof buffer);
    lib::format_to(out, "{}", "a long line of text");
    EXPECT_TRUE(out.truncated());
    EXPECT_EQ(std::string(out.view().data(), out.view().length()), "a long ");
    EXPECT_EQ(buffer[7], '\0');
}
