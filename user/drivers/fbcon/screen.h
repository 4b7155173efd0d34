// The screen service's terminal: text drawn with the console font (lib/console_font.h) on a
// 32-bit framebuffer, with the escape sequences docs/console.md lists. It only touches the
// pixels it is given, so it knows nothing of capabilities or IPC (main.cpp does).
//
// Writing and drawing are apart: write() changes the text (a grid of cells) and remembers what
// changed; render() brings the pixels up to date. A burst of output that scrolls many lines
// between two renders costs one move of the pixels, or none once a whole screen has gone by,
// instead of one per line (main.cpp renders at most once a frame).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fbcon {

struct Geometry {
    uint32_t width = 0, height = 0; // pixels
    uint32_t pitch = 0;             // bytes from one scan line to the next
};

struct Cell {
    uint8_t character = ' ';
    uint8_t foreground = 0, background = 0; // VGA colour numbers (lib/console_palette.h)
};

class Screen {
public:
    static constexpr uint32_t MAX_ROWS = 1024; // a 16384-pixel-high screen of 16-pixel rows

    static uint32_t columns_for(const Geometry& g);
    static uint32_t rows_for(const Geometry& g);

    // `pixels`: pitch * height writable bytes of 0x00RRGGBB pixels, every line 4-byte aligned.
    // `cells`: columns_for(g) * rows_for(g) of them, the text; both outlive the screen.
    // rows_for(g) must be at most MAX_ROWS and both at least 1.
    Screen(uint8_t* pixels, const Geometry& geometry, Cell* cells);

    // Takes `text` in: characters, controls and escape sequences (which may be split across
    // calls). Nothing is drawn until render().
    void write(const char* text, size_t length);

    // Draws what changed since the last render, the cursor last. Returns false when nothing had.
    bool render();

    uint32_t columns() const { return m_columns; }
    uint32_t rows() const { return m_rows; }

private:
    enum class Escape : uint8_t { None, Started, Bracket };
    static constexpr size_t MAX_PARAMETERS = 4;

    // The columns [first, end) of one row of the grid that differ from the pixels.
    struct Damage {
        uint16_t first = 0, end = 0;
    };

    void character(uint8_t c);
    void control(uint8_t c);
    void sequence(char final);
    void select_graphic_rendition();
    void clear_cells(uint32_t row, uint32_t first_column, uint32_t end_column);
    void clear_rows(uint32_t first_row, uint32_t end_row);
    void new_line();
    uint32_t grid_row(uint32_t row) const { return (m_top + row) % m_rows; }
    Cell& cell(uint32_t row, uint32_t column) { return m_cells[grid_row(row) * m_columns + column]; }
    void damage(uint32_t row, uint32_t first_column, uint32_t end_column);
    uint32_t parameter(size_t i, uint32_t fallback) const;

    void draw_scroll();
    void draw_cell(uint32_t column, uint32_t row, const Cell& cell);
    void toggle_cursor(uint32_t column, uint32_t row);
    uint32_t* line(uint32_t y);

    uint8_t* m_pixels;
    Geometry m_geometry;
    uint32_t m_columns, m_rows;
    Cell* m_cells;
    uint32_t m_top = 0; // the grid row shown as the screen's first: scrolling moves it
    Damage m_damage[MAX_ROWS] = {}; // by grid row

    // What the pixels show: scrolled this many rows behind the grid (at most m_rows), and the
    // cursor where it was drawn.
    uint32_t m_scrolled = 0;
    bool m_cursor_drawn = false;
    uint32_t m_cursor_drawn_column = 0, m_cursor_drawn_row = 0;

    uint32_t m_column = 0, m_row = 0; // m_column == m_columns: the next character wraps first
    uint8_t m_foreground, m_background;
    Escape m_escape = Escape::None;
    uint32_t m_parameters[MAX_PARAMETERS] = {};
    size_t m_parameter_count = 0;
};

} // namespace fbcon
