#include "lib/line_discipline.h"

#include "lib/format.h"

namespace lib {

namespace {

constexpr char CTRL_A = 0x01, CTRL_C = 0x03, CTRL_D = 0x04, CTRL_E = 0x05, CTRL_U = 0x15;
constexpr char BACKSPACE = 0x08, DELETE = 0x7f, ESCAPE = 0x1b;

// ESC [ n D or ESC [ n C: n columns left or right.
void move(LineListener& listener, size_t columns, char direction) {
    if (columns == 0)
        return;
    char buffer[16];
    BufferOutput out(buffer, sizeof buffer);
    format_to(out, "\x1b[{}{}", columns, direction);
    listener.echo(out.view());
}

} // namespace

void LineDiscipline::input(char key) {
    if (m_escape == Escape::Started) {
        m_escape = key == '[' ? Escape::Bracket : Escape::None;
        return;
    }
    if (m_escape == Escape::Bracket) {
        if (key >= 0x30 && key <= 0x3f)
            return; // parameter bytes (ESC [ 1 ; 5 C and the like): the final byte decides
        m_escape = Escape::None;
        arrow(key);
        return;
    }
    switch (key) {
    case ESCAPE: m_escape = Escape::Started; return;
    case '\r':
    case '\n': finish(true); return;
    case BACKSPACE:
    case DELETE: erase_before_cursor(); return;
    case CTRL_A: move_cursor_to(0); return;
    case CTRL_E: move_cursor_to(m_length); return;
    case CTRL_U: replace_line({}); return;
    case CTRL_C:
        m_listener.echo("^C\n");
        m_length = m_cursor = 0;
        m_browsing = 0;
        m_listener.interrupt();
        return;
    case CTRL_D:
        if (m_length == 0)
            m_listener.end_of_input();
        else
            finish(false);
        return;
    default:
        if (uint8_t(key) >= 0x20 && uint8_t(key) != 0x7f)
            insert(key);
        return; // other control keys mean nothing here
    }
}

void LineDiscipline::arrow(char which) {
    switch (which) {
    case 'D':
        if (m_cursor > 0)
            move_cursor_to(m_cursor - 1);
        return;
    case 'C':
        if (m_cursor < m_length)
            move_cursor_to(m_cursor + 1);
        return;
    case 'A':
        if (m_browsing < m_history_count) {
            ++m_browsing;
            size_t slot = (m_history_next + HISTORY - m_browsing) % HISTORY;
            replace_line({m_history[slot], m_history_length[slot]});
        }
        return;
    case 'B':
        if (m_browsing > 0) {
            --m_browsing;
            if (m_browsing == 0) {
                replace_line({});
            } else {
                size_t slot = (m_history_next + HISTORY - m_browsing) % HISTORY;
                replace_line({m_history[slot], m_history_length[slot]});
            }
        }
        return;
    case 'H': move_cursor_to(0); return;
    case 'F': move_cursor_to(m_length); return;
    default: return; // an escape sequence the discipline does not use
    }
}

void LineDiscipline::insert(char c) {
    if (m_length == MAX_LINE)
        return; // full: the key is dropped, as a terminal's bell would say
    for (size_t i = m_length; i > m_cursor; --i)
        m_line[i] = m_line[i - 1];
    m_line[m_cursor] = c;
    ++m_length;
    size_t from = m_cursor++;
    // The new character and everything after it, then back to just after the new one.
    m_listener.echo({m_line + from, m_length - from});
    move(m_listener, m_length - m_cursor, 'D');
}

void LineDiscipline::erase_before_cursor() {
    if (m_cursor == 0)
        return;
    for (size_t i = m_cursor; i < m_length; ++i)
        m_line[i - 1] = m_line[i];
    --m_length;
    --m_cursor;
    move(m_listener, 1, 'D');
    redraw_from(m_cursor, 1);
}

// Rewrites the line from `position` to its end, clears what is beyond it (`erased` columns at
// most, which ESC [ K covers), and puts the cursor back where it belongs.
void LineDiscipline::redraw_from(size_t position, size_t erased) {
    m_listener.echo({m_line + position, m_length - position});
    if (erased)
        m_listener.echo("\x1b[K");
    move(m_listener, m_length - m_cursor, 'D');
}

void LineDiscipline::move_cursor_to(size_t position) {
    if (position < m_cursor)
        move(m_listener, m_cursor - position, 'D');
    else
        move(m_listener, position - m_cursor, 'C');
    m_cursor = position;
}

void LineDiscipline::replace_line(StringView text) {
    move_cursor_to(0);
    size_t old_length = m_length;
    m_length = text.length() < MAX_LINE ? text.length() : MAX_LINE;
    for (size_t i = 0; i < m_length; ++i)
        m_line[i] = text[i];
    m_cursor = m_length;
    m_listener.echo({m_line, m_length});
    if (old_length > m_length)
        m_listener.echo("\x1b[K");
}

void LineDiscipline::remember(StringView text) {
    if (text.is_empty())
        return;
    size_t last = (m_history_next + HISTORY - 1) % HISTORY;
    if (m_history_count && StringView(m_history[last], m_history_length[last]) == text)
        return; // the same line twice is remembered once
    for (size_t i = 0; i < text.length(); ++i)
        m_history[m_history_next][i] = text[i];
    m_history_length[m_history_next] = text.length();
    m_history_next = (m_history_next + 1) % HISTORY;
    if (m_history_count < HISTORY)
        ++m_history_count;
}

void LineDiscipline::finish(bool with_newline) {
    move_cursor_to(m_length);
    remember({m_line, m_length});
    char done[MAX_LINE + 1];
    for (size_t i = 0; i < m_length; ++i)
        done[i] = m_line[i];
    size_t length = m_length;
    if (with_newline) {
        done[length++] = '\n';
        m_listener.echo("\n");
    }
    m_length = m_cursor = 0;
    m_browsing = 0;
    m_listener.line({done, length});
}

} // namespace lib
