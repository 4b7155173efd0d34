// The screen service's terminal: text drawn with the console font (lib/console_font.h) on a
// 32-bit framebuffer, with the escape sequences docs/console.md lists. It only touches the
// pixels it is given, so it knows nothing of capabilities or IPC (main.cpp does).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fbcon {

struct Geometry {
    uint32_t width = 0, height = 0; // pixels
    uint32_t pitch = 0;             // bytes from one scan line to the next
};

class Screen {
public:
    // `pixels`: pitch * height writable bytes of 0x00RRGGBB pixels, every line 4-byte aligned.
    Screen(uint8_t* pixels, const Geometry& geometry);

    // Draws `text`: characters, controls and escape sequences (which may be split across calls).
    void write(const char* text, size_t length);

    uint32_t columns() const { return m_columns; }
    uint32_t rows() const { return m_rows; }

private:
    enum class Escape : uint8_t { None, Started, Bracket };
    static constexpr size_t MAX_PARAMETERS = 4;

    void character(uint8_t c);
    void control(uint8_t c);
    void sequence(char final);
    void select_graphic_rendition();
    void glyph(uint32_t column, uint32_t row, uint8_t c);
    void clear_cells(uint32_t row, uint32_t first_column, uint32_t end_column);
    void clear_rows(uint32_t first_row, uint32_t end_row);
    void new_line();
    void scroll_up();
    void toggle_cursor();
    uint32_t* line(uint32_t y);
    uint32_t parameter(size_t i, uint32_t fallback) const;

    uint8_t* m_pixels;
    Geometry m_geometry;
    uint32_t m_columns, m_rows;
    uint32_t m_column = 0, m_row = 0; // m_column == m_columns: the next character wraps first
    uint32_t m_foreground, m_background;
    Escape m_escape = Escape::None;
    uint32_t m_parameters[MAX_PARAMETERS] = {};
    size_t m_parameter_count = 0;
};

} // namespace fbcon
