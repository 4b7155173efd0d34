#include "user/drivers/fbcon/screen.h"

#include "lib/console_font.h"
#include "lib/console_palette.h"

namespace fbcon {

namespace {

namespace font = lib::font;

constexpr uint32_t CELL_WIDTH = font::GLYPH_WIDTH, CELL_HEIGHT = font::GLYPH_HEIGHT;
constexpr uint32_t CURSOR_HEIGHT = 2; // an underline at the bottom of the cell
constexpr uint32_t TAB = 8;
constexpr uint8_t DEFAULT_FOREGROUND = 7, DEFAULT_BACKGROUND = 0; // VGA light grey on black

// ANSI colour numbers (30 + n) in VGA order (lib/console_palette.h).
constexpr uint8_t ANSI_TO_VGA[8] = {0, 4, 2, 6, 1, 5, 3, 7};

uint32_t pixel(uint8_t vga) {
    const uint8_t* rgb = lib::palette::VGA[vga & 15];
    return (uint32_t(rgb[0]) << 16) | (uint32_t(rgb[1]) << 8) | rgb[2];
}

uint32_t at_most(uint32_t value, uint32_t limit) { return value < limit ? value : limit; }

} // namespace

uint32_t Screen::columns_for(const Geometry& g) { return g.width / CELL_WIDTH; }
uint32_t Screen::rows_for(const Geometry& g) { return g.height / CELL_HEIGHT; }

Screen::Screen(uint8_t* pixels, const Geometry& geometry, Cell* cells)
    : m_pixels(pixels), m_geometry(geometry), m_columns(columns_for(geometry)),
      m_rows(rows_for(geometry)), m_cells(cells), m_foreground(DEFAULT_FOREGROUND),
      m_background(DEFAULT_BACKGROUND) {
    clear_rows(0, m_rows);
    m_scrolled = m_rows; // nothing on the pixels is ours yet
}

uint32_t* Screen::line(uint32_t y) {
    // Sound: y < height, and the caller (main.cpp) mapped pitch * height bytes whose lines
    // start 4-byte aligned (it checked the pitch is a multiple of 4).
    return reinterpret_cast<uint32_t*>(m_pixels + size_t(y) * m_geometry.pitch);
}

void Screen::damage(uint32_t row, uint32_t first_column, uint32_t end_column) {
    if (first_column >= end_column)
        return;
    Damage& d = m_damage[grid_row(row)];
    if (d.first == d.end) {
        d = {uint16_t(first_column), uint16_t(end_column)};
        return;
    }
    d.first = uint16_t(first_column < d.first ? first_column : d.first);
    d.end = uint16_t(end_column > d.end ? end_column : d.end);
}

void Screen::write(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i) {
        uint8_t c = uint8_t(text[i]);
        if (m_escape != Escape::None) {
            if (m_escape == Escape::Started) {
                m_escape = c == '[' ? Escape::Bracket : Escape::None;
                m_parameter_count = 0;
                m_parameters[0] = 0;
            } else if (c >= '0' && c <= '9') {
                if (m_parameter_count == 0)
                    m_parameter_count = 1;
                uint32_t& p = m_parameters[m_parameter_count - 1];
                p = at_most(p * 10 + (c - '0'), 9999);
            } else if (c == ';') {
                if (m_parameter_count == 0)
                    m_parameter_count = 1;
                if (m_parameter_count < MAX_PARAMETERS)
                    m_parameters[m_parameter_count++] = 0;
            } else {
                m_escape = Escape::None;
                sequence(char(c));
            }
        } else if (c == 0x1b) {
            m_escape = Escape::Started;
        } else if (c < 0x20 || c == 0x7f) {
            control(c);
        } else {
            character(c);
        }
    }
}

void Screen::character(uint8_t c) {
    if (m_column == m_columns)
        new_line();
    cell(m_row, m_column) = {c, m_foreground, m_background};
    damage(m_row, m_column, m_column + 1);
    ++m_column;
}

void Screen::control(uint8_t c) {
    switch (c) {
    case '\n': new_line(); break;
    case '\r': m_column = 0; break;
    case '\b': // back one cell, erasing nothing (a pending wrap counts as the last cell)
        m_column = at_most(m_column, m_columns - 1);
        if (m_column > 0)
            --m_column;
        break;
    case '\t': // to the next tab stop, at most the last column, drawing nothing (as VT100s do)
        m_column = at_most((at_most(m_column, m_columns - 1) / TAB + 1) * TAB, m_columns - 1);
        break;
    default: break; // other controls draw nothing
    }
}

uint32_t Screen::parameter(size_t i, uint32_t fallback) const {
    return i < m_parameter_count && m_parameters[i] ? m_parameters[i] : fallback;
}

void Screen::sequence(char final) {
    uint32_t column = at_most(m_column, m_columns - 1);
    switch (final) {
    case 'm': select_graphic_rendition(); break;
    case 'C': m_column = at_most(column + parameter(0, 1), m_columns - 1); break;
    case 'D': m_column = column - at_most(parameter(0, 1), column); break;
    case 'A': m_row -= at_most(parameter(0, 1), m_row); break;
    case 'B': m_row = at_most(m_row + parameter(0, 1), m_rows - 1); break;
    case 'H':
        m_row = at_most(parameter(0, 1), m_rows) - 1;
        m_column = at_most(parameter(1, 1), m_columns) - 1;
        break;
    case 'K': // 0: to the end of the line, 1: to the cursor, 2: all of it
        switch (parameter(0, 0)) {
        case 0: clear_cells(m_row, column, m_columns); break;
        case 1: clear_cells(m_row, 0, column + 1); break;
        case 2: clear_cells(m_row, 0, m_columns); break;
        default: break;
        }
        break;
    case 'J': // 0: from the cursor to the end of the screen, 2: all of it (the cursor stays)
        if (parameter(0, 0) == 0) {
            clear_cells(m_row, column, m_columns);
            clear_rows(m_row + 1, m_rows);
        } else if (parameter(0, 0) == 2) {
            clear_rows(0, m_rows);
        }
        break;
    default: break; // a sequence the screen does not know is dropped whole
    }
}

void Screen::select_graphic_rendition() {
    for (size_t i = 0; i < (m_parameter_count ? m_parameter_count : 1); ++i) {
        uint32_t n = i < m_parameter_count ? m_parameters[i] : 0;
        if (n == 0) {
            m_foreground = DEFAULT_FOREGROUND;
            m_background = DEFAULT_BACKGROUND;
        } else if (n >= 30 && n <= 37) {
            m_foreground = ANSI_TO_VGA[n - 30];
        } else if (n >= 90 && n <= 97) {
            m_foreground = uint8_t(ANSI_TO_VGA[n - 90] + 8);
        } else if (n == 39) {
            m_foreground = DEFAULT_FOREGROUND;
        } else if (n >= 40 && n <= 47) {
            m_background = ANSI_TO_VGA[n - 40];
        } else if (n == 49) {
            m_background = DEFAULT_BACKGROUND;
        }
    }
}

void Screen::clear_cells(uint32_t row, uint32_t first_column, uint32_t end_column) {
    for (uint32_t column = first_column; column < end_column; ++column)
        cell(row, column) = {' ', m_foreground, m_background};
    damage(row, first_column, end_column);
}

void Screen::clear_rows(uint32_t first_row, uint32_t end_row) {
    for (uint32_t row = first_row; row < end_row; ++row)
        clear_cells(row, 0, m_columns);
}

// The grid is a ring of rows: scrolling moves its first row and blanks the one that comes in
// at the bottom; the pixels follow at the next render.
void Screen::new_line() {
    m_column = 0;
    if (m_row + 1 < m_rows) {
        ++m_row;
        return;
    }
    m_top = (m_top + 1) % m_rows;
    if (m_scrolled < m_rows)
        ++m_scrolled;
    clear_rows(m_rows - 1, m_rows);
}

bool Screen::render() {
    uint32_t column = at_most(m_column, m_columns - 1);
    bool changed = m_scrolled > 0 || !m_cursor_drawn || m_cursor_drawn_column != column ||
                   m_cursor_drawn_row != m_row;
    if (m_cursor_drawn) // off first: nothing drawn below mixes with it, and moving keeps it
        toggle_cursor(m_cursor_drawn_column, m_cursor_drawn_row);
    draw_scroll();
    for (uint32_t row = 0; row < m_rows; ++row) {
        Damage& d = m_damage[grid_row(row)];
        changed |= d.first != d.end;
        for (uint32_t c = d.first; c < d.end; ++c)
            draw_cell(c, row, cell(row, c));
        d = {};
    }
    toggle_cursor(column, m_row);
    m_cursor_drawn = true;
    m_cursor_drawn_column = column;
    m_cursor_drawn_row = m_row;
    return changed;
}

// One move of the framebuffer's bytes however many rows went by; the rows that came in are
// damaged (new_line blanked them). A whole screen or more behind: everything is drawn anew.
void Screen::draw_scroll() {
    if (m_scrolled == 0)
        return;
    if (m_scrolled >= m_rows) {
        for (uint32_t row = 0; row < m_rows; ++row)
            damage(row, 0, m_columns);
    } else {
        size_t text_row_bytes = size_t(m_geometry.pitch) * CELL_HEIGHT;
        __builtin_memmove(m_pixels, m_pixels + text_row_bytes * m_scrolled,
                          text_row_bytes * (m_rows - m_scrolled));
    }
    m_scrolled = 0;
}

void Screen::draw_cell(uint32_t column, uint32_t row, const Cell& cell) {
    const uint8_t* rows = font::glyphs[cell.character];
    uint32_t foreground = pixel(cell.foreground), background = pixel(cell.background);
    for (uint32_t y = 0; y < CELL_HEIGHT; ++y) {
        uint32_t* pixels = line(row * CELL_HEIGHT + y) + column * CELL_WIDTH;
        for (uint32_t x = 0; x < CELL_WIDTH; ++x)
            pixels[x] = (rows[y] & (0x80 >> x)) ? foreground : background;
    }
}

// The cursor is the cell's bottom rows inverted: drawing it twice takes it away, so the screen
// needs no copy of what is under it.
void Screen::toggle_cursor(uint32_t column, uint32_t row) {
    for (uint32_t y = (row + 1) * CELL_HEIGHT - CURSOR_HEIGHT; y < (row + 1) * CELL_HEIGHT; ++y) {
        uint32_t* pixels = line(y) + column * CELL_WIDTH;
        for (uint32_t x = 0; x < CELL_WIDTH; ++x)
            pixels[x] ^= 0x00ffffff;
    }
}

} // namespace fbcon
