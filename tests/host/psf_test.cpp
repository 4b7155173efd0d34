#include <gtest/gtest.h>

#include <vector>

#include "lib/psf.h"

namespace {

// A PSF1 font with 256 glyphs of height 16 where glyph i has every row equal to i, and a
// Unicode table mapping glyph i to codepoint (255 - i), so lookups must use the table.
std::vector<uint8_t> reversed_psf1() {
    std::vector<uint8_t> f = {0x36, 0x04, 0x02, 16};
    for (int g = 0; g < 256; ++g)
        for (int row = 0; row < 16; ++row)
            f.push_back(uint8_t(g));
    for (int g = 0; g < 256; ++g) {
        uint16_t cp = uint16_t(255 - g);
        f.push_back(uint8_t(cp));
        f.push_back(uint8_t(cp >> 8));
        f.push_back(0xff);
        f.push_back(0xff);
    }
    return f;
}

} // namespace

TEST(Psf, ParsesPsf1AndMapsThroughTheUnicodeTable) {
    auto bytes = reversed_psf1();
    auto font = lib::psf::parse(bytes);
    ASSERT_TRUE(font.has_value());
    EXPECT_EQ(font->glyph_count, 256u);
    EXPECT_EQ(font->width, 8u);
    EXPECT_EQ(font->height, 16u);
    auto index = lib::psf::glyph_for(*font, 'A');
    ASSERT_TRUE(index.has_value());
    EXPECT_EQ(*index, 255u - 'A');
    EXPECT_EQ(font->glyph(*index)[0], uint8_t(255 - 'A'));
    EXPECT_FALSE(lib::psf::glyph_for(*font, 0x263a).has_value()); // not in the table
}

TEST(Psf, ParsesPsf2WithUtf8Table) {
    std::vector<uint8_t> f = {0x72, 0xb5, 0x4a, 0x86};
    auto put32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i)
            f.push_back(uint8_t(v >> (8 * i)));
    };
    put32(0);  // version
    put32(32); // header size
    put32(1);  // has a Unicode table
    put32(2);  // glyphs
    put32(16); // bytes per glyph
    put32(16); // height
    put32(8);  // width
    f.insert(f.end(), 32, 0xaa);
    f.insert(f.end(), {'x', 0xff, 0xc3, 0xa9, 0xff}); // glyph 1 draws U+00E9 (two UTF-8 bytes)
    auto font = lib::psf::parse(f);
    ASSERT_TRUE(font.has_value());
    EXPECT_TRUE(font->psf2);
    EXPECT_EQ(lib::psf::glyph_for(*font, 'x').value(), 0u);
    EXPECT_EQ(lib::psf::glyph_for(*font, 0xe9).value(), 1u);
}

TEST(Psf, RefusesMalformedFonts) {
    auto truncated = reversed_psf1();
    truncated.resize(4 + 100);
    EXPECT_FALSE(lib::psf::parse(truncated).has_value());
    std::vector<uint8_t> bad_magic = {0x12, 0x34, 0, 16};
    EXPECT_FALSE(lib::psf::parse(bad_magic).has_value());
    std::vector<uint8_t> zero_height = {0x36, 0x04, 0, 0};
    EXPECT_FALSE(lib::psf::parse(zero_height).has_value());
    std::vector<uint8_t> psf2_huge = {0x72, 0xb5, 0x4a, 0x86, 0, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0,
                                      0xff, 0xff, 0xff, 0xff, 16, 0, 0, 0, 16, 0, 0, 0, 8, 0, 0, 0};
    EXPECT_FALSE(lib::psf::parse(psf2_huge).has_value());
}

// The font the kernel is built with converts: the console draws every printable ASCII glyph
// from it, and the glyphs differ (a broken Unicode table would map them all to one glyph).
TEST(Psf, TheKernelConsoleFontConverts) {
    FILE* pipe = popen("gzip -dc " MNOS_CONSOLE_FONT, "r");
    ASSERT_NE(pipe, nullptr);
    std::vector<uint8_t> bytes;
    int c;
    while ((c = fgetc(pipe)) != EOF)
        bytes.push_back(uint8_t(c));
    ASSERT_EQ(pclose(pipe), 0);
    auto font = lib::psf::parse(bytes);
    ASSERT_TRUE(font.has_value());
    ASSERT_EQ(font->width, 8u);
    ASSERT_EQ(font->height, 16u);
    auto a = lib::psf::glyph_for(*font, 'A');
    auto b = lib::psf::glyph_for(*font, 'B');
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    for (uint32_t cp = 0x20; cp < 0x7f; ++cp)
        EXPECT_TRUE(lib::psf::glyph_for(*font, cp).has_value()) << "U+" << std::hex << cp;
    auto space = font->glyph(lib::psf::glyph_for(*font, ' ').value());
    auto letter = font->glyph(*a);
    int space_bits = 0, letter_bits = 0;
    for (uint8_t row : space)
        space_bits += __builtin_popcount(row);
    for (uint8_t row : letter)
        letter_bits += __builtin_popcount(row);
    EXPECT_EQ(space_bits, 0);
    EXPECT_GT(letter_bits, 10);
}
