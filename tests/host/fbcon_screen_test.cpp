// The screen service's terminal (user/drivers/fbcon/screen.h) drawing into a buffer: glyphs from
// the console font, colours, the controls and sequences of docs/console.md, scrolling and the
// cursor; and that rendering later, once for many writes, draws the same as after each.
#include "user/drivers/fbcon/screen.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "lib/console_font.h"

namespace {

constexpr uint32_t COLUMNS = 6, ROWS = 3, PAD = 16; // pixels past each line the screen must not touch
constexpr uint32_t WIDTH = COLUMNS * 8, HEIGHT = ROWS * 16, PITCH = WIDTH * 4 + PAD;
constexpr uint32_t GREY = 0xaaaaaa, RED = 0xaa0000, BRIGHT_GREEN = 0x55ff55, CURSOR = 0xffffff;

constexpr fbcon::Geometry GEOMETRY{WIDTH, HEIGHT, PITCH};

struct Fixture {
    std::vector<uint8_t> bytes = std::vector<uint8_t>(PITCH * HEIGHT, 0x5a);
    std::vector<fbcon::Cell> cells = std::vector<fbcon::Cell>(
        fbcon::Screen::columns_for(GEOMETRY) * fbcon::Screen::rows_for(GEOMETRY));
    fbcon::Screen screen{bytes.data(), GEOMETRY, cells.data()};

    Fixture() { screen.render(); }

    uint32_t pixel(uint32_t x, uint32_t y) const {
        uint32_t value;
        std::memcpy(&value, &bytes[y * PITCH + x * 4], 4);
        return value;
    }
    void write(const std::string& text) {
        screen.write(text.data(), text.size());
        screen.render();
    }

    // True when cell (column, row) shows glyph `c` in `foreground` on black, ignoring the
    // cursor's rows when it is there.
    bool shows(uint32_t column, uint32_t row, uint8_t c, uint32_t foreground = GREY,
               bool cursor = false) const {
        for (uint32_t y = 0; y < 16; ++y)
            for (uint32_t x = 0; x < 8; ++x) {
                bool on = lib::font::glyphs[c][y] & (0x80 >> x);
                uint32_t want = on ? foreground : 0;
                if (cursor && y >= 14)
                    want ^= CURSOR;
                if (pixel(column * 8 + x, row * 16 + y) != want)
                    return false;
            }
        return true;
    }
};

TEST(FbconScreen, StartsClearWithTheCursorTopLeft) {
    Fixture f;
    EXPECT_EQ(f.screen.columns(), COLUMNS);
    EXPECT_EQ(f.screen.rows(), ROWS);
    EXPECT_TRUE(f.shows(0, 0, ' ', GREY, true));
    EXPECT_TRUE(f.shows(1, 0, ' '));
    EXPECT_EQ(f.bytes[WIDTH * 4], 0x5a); // the padding past the visible line is left alone
}

TEST(FbconScreen, DrawsGlyphsAndMovesTheCursor) {
    Fixture f;
    f.write("Hi");
    EXPECT_TRUE(f.shows(0, 0, 'H'));
    EXPECT_TRUE(f.shows(1, 0, 'i'));
    EXPECT_TRUE(f.shows(2, 0, ' ', GREY, true));
}

TEST(FbconScreen, NewlineCarriageReturnBackspaceAndTab) {
    Fixture f;
    f.write("ab\ncd\rX\bY\tZ");
    EXPECT_TRUE(f.shows(0, 1, 'Y'));  // \r back to column 0, X drawn, \b back over it
    EXPECT_TRUE(f.shows(1, 1, 'd'));  // the tab moved over it without drawing
    EXPECT_TRUE(f.shows(COLUMNS - 1, 1, 'Z', GREY, true)); // at most to the last column
    f.write("\t");
    EXPECT_TRUE(f.shows(COLUMNS - 1, 1, 'Z', GREY, true)); // a pending wrap: tab stays put
}

TEST(FbconScreen, Colours) {
    Fixture f;
    f.write("\x1b[31mr\x1b[92mg\x1b[0mn");
    EXPECT_TRUE(f.shows(0, 0, 'r', RED));
    EXPECT_TRUE(f.shows(1, 0, 'g', BRIGHT_GREEN));
    EXPECT_TRUE(f.shows(2, 0, 'n', GREY));
}

TEST(FbconScreen, CursorMovesAndClearsAsTheLineDisciplineEchoes) {
    Fixture f;
    f.write("abcd\x1b[3D");  // back 3: on b
    EXPECT_TRUE(f.shows(1, 0, 'b', GREY, true));
    f.write("\x1b[K");       // clear from b on
    EXPECT_TRUE(f.shows(0, 0, 'a'));
    EXPECT_TRUE(f.shows(2, 0, ' '));
    EXPECT_TRUE(f.shows(3, 0, ' '));
    f.write("\x1b[2C" "e");  // right 2, then e at column 3
    EXPECT_TRUE(f.shows(3, 0, 'e'));
    f.write("\x1b[9D\x1b[9C"); // stops at the edges
    EXPECT_TRUE(f.shows(COLUMNS - 1, 0, ' ', GREY, true));
}

TEST(FbconScreen, ClearScreenAndHome) {
    Fixture f;
    f.write("abc\ndef\x1b[2J");
    for (uint32_t c = 0; c < 3; ++c)
        EXPECT_TRUE(f.shows(c, 0, ' '));
    EXPECT_TRUE(f.shows(3, 1, ' ', GREY, true)); // ESC [ 2 J leaves the cursor where it was
    f.write("\x1b[Hx\x1b[3;2Hy");
    EXPECT_TRUE(f.shows(0, 0, 'x'));
    EXPECT_TRUE(f.shows(1, 2, 'y'));
}

TEST(FbconScreen, ScrollsUpAtTheBottom) {
    Fixture f;
    f.write("1\n2\n3\n4");
    EXPECT_TRUE(f.shows(0, 0, '2'));
    EXPECT_TRUE(f.shows(0, 1, '3'));
    EXPECT_TRUE(f.shows(0, 2, '4'));
    EXPECT_TRUE(f.shows(1, 2, ' ', GREY, true));
}

TEST(FbconScreen, SequencesSplitAcrossWritesAndUnknownOnesDropped) {
    Fixture f;
    f.write("\x1b[3");
    f.write("1ma\x1b[5qb\x01");
    EXPECT_TRUE(f.shows(0, 0, 'a', RED));
    EXPECT_TRUE(f.shows(1, 0, 'b', RED));
    EXPECT_TRUE(f.shows(2, 0, ' ', GREY, true));
}

// However much scrolled between two renders (none, part of a screen, more than a screen), the
// pixels end the same as when every byte was rendered at once.
TEST(FbconScreen, OneRenderForManyWritesDrawsTheSameAsOneRenderEach) {
    for (const std::string text : {"ab\ncd", "1\n2\n3\n4\x1b[31m5", "a\nb\nc\nd\ne\nf\ng\nhij",
                                   "long line that wraps\nx\x1b[2J\x1b[Hy"}) {
        Fixture eager, lazy;
        for (char c : text)
            eager.write(std::string(1, c));
        lazy.screen.write(text.data(), text.size());
        EXPECT_TRUE(lazy.screen.render());
        EXPECT_EQ(eager.bytes, lazy.bytes) << text;
    }
}

TEST(FbconScreen, RenderDrawsNothingWhenNothingChanged) {
    Fixture f;
    f.write("abc");
    f.bytes[PITCH + 4] = 0x33; // a pixel of 'a', not one the text changes again
    EXPECT_FALSE(f.screen.render());
    EXPECT_EQ(f.bytes[PITCH + 4], 0x33);
    f.write("\x1b[D"); // the cursor moved: only it is drawn again
    EXPECT_EQ(f.bytes[PITCH + 4], 0x33);
    EXPECT_TRUE(f.shows(2, 0, 'c', GREY, true));
}

} // namespace
