#include "kernel/dev/framebuffer_console.h"

#include "lib/console_font.h"
#include "lib/console_palette.h"

namespace kernel::console {

namespace {

namespace font = lib::font;

struct State {
    Framebuffer fb;
    uint8_t* pixels = nullptr; // null while the console is off
    uint32_t columns = 0, rows = 0;
    uint32_t column = 0, row = 0;
    uint32_t foreground = 0, background = 0;
};

State g_state;

uint32_t pack(Colour colour) {
    const uint8_t* rgb = lib::palette::VGA[uint8_t(colour) & 15];
    return (uint32_t(rgb[0]) << g_state.fb.red_shift) | (uint32_t(rgb[1]) << g_state.fb.green_shift) |
           (uint32_t(rgb[2]) << g_state.fb.blue_shift);
}

uint32_t* row_pixels(uint32_t y) {
    // The framebuffer is pitch * height bytes of 32-bit pixels (init() checked bpp == 32), and
    // every scan line starts 4-byte aligned because the pitch is a multiple of 4.
    return reinterpret_cast<uint32_t*>(g_state.pixels + size_t(y) * g_state.fb.pitch);
}

void draw_glyph(uint32_t column, uint32_t row, uint8_t c) {
    const uint8_t* glyph = font::glyphs[c];
    for (int y = 0; y < font::GLYPH_HEIGHT; ++y) {
        uint32_t* line = row_pixels(row * font::GLYPH_HEIGHT + y) + column * font::GLYPH_WIDTH;
        for (int x = 0; x < font::GLYPH_WIDTH; ++x)
            line[x] = (glyph[y] & (0x80 >> x)) ? g_state.foreground : g_state.background;
    }
}

void clear_rows(uint32_t first_row, uint32_t count) {
    for (uint32_t y = first_row * font::GLYPH_HEIGHT; y < (first_row + count) * font::GLYPH_HEIGHT; ++y) {
        uint32_t* line = row_pixels(y);
        for (uint32_t x = 0; x < g_state.columns * font::GLYPH_WIDTH; ++x)
            line[x] = g_state.background;
    }
}

void scroll() {
    size_t line_bytes = size_t(g_state.fb.pitch) * font::GLYPH_HEIGHT;
    __builtin_memmove(g_state.pixels, g_state.pixels + line_bytes, line_bytes * (g_state.rows - 1));
    clear_rows(g_state.rows - 1, 1);
    g_state.row = g_state.rows - 1;
}

void new_line() {
    g_state.column = 0;
    if (++g_state.row == g_state.rows)
        scroll();
}

} // namespace

void init(const Framebuffer& fb, void* pixels) {
    if (fb.bpp != 32 || !pixels || fb.width < font::GLYPH_WIDTH || fb.height < font::GLYPH_HEIGHT)
        return;
    g_state.fb = fb;
    g_state.pixels = static_cast<uint8_t*>(pixels);
    g_state.columns = fb.width / font::GLYPH_WIDTH;
    g_state.rows = fb.height / font::GLYPH_HEIGHT;
    g_state.foreground = pack(Colour::LightGrey);
    g_state.background = pack(Colour::Black);
    clear_rows(0, g_state.rows);
}

bool active() { return g_state.pixels != nullptr; }

void set_foreground(Colour colour) {
    if (active())
        g_state.foreground = pack(colour);
}

void write(lib::StringView text) {
    if (!active())
        return;
    for (char ch : text) {
        uint8_t c = uint8_t(ch);
        if (c == '\n') {
            new_line();
            continue;
        }
        if (c == '\r') {
            g_state.column = 0;
            continue;
        }
        if (c == '\t') {
            do
                write(" ");
            while (g_state.column % 8);
            continue;
        }
        if (g_state.column == g_state.columns)
            new_line();
        draw_glyph(g_state.column++, g_state.row, c);
    }
}

uint32_t columns() { return g_state.columns; }
uint32_t rows() { return g_state.rows; }

} // namespace kernel::console
