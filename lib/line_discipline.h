// The console's line discipline: turns the keys a terminal sends (abi/console.h: ASCII, 0x7f for
// backspace, '\r' for enter, control keys, ESC [ A/B/C/D for the arrows) into edited lines, the
// echo that shows the editing, and the two signals a terminal has: ctrl-C (interrupt the
// foreground program) and ctrl-D (end of input). Pure logic over a Listener, so the host tests
// drive it key by key; the console service (user/console) feeds it from the drivers.
//
// Editing: printable characters insert at the cursor; backspace deletes before it; left and
// right move it; up and down walk the history of earlier lines; ctrl-A and ctrl-E go to the
// start and end; ctrl-U clears the line. The echo uses only "\b"-free sequences every VT100 and
// the screen service understand: ESC [ n D / ESC [ n C to move, ESC [ K to clear to the end.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/string_view.h"

namespace lib {

class LineListener {
public:
    virtual void echo(StringView text) = 0;
    // A finished line, with its '\n' (or without, when ctrl-D ended a non-empty line).
    virtual void line(StringView text) = 0;
    virtual void end_of_input() = 0; // ctrl-D on an empty line
    virtual void interrupt() = 0;    // ctrl-C: the line so far is dropped

protected:
    ~LineListener() = default;
};

class LineDiscipline {
public:
    static constexpr size_t MAX_LINE = 160;
    static constexpr size_t HISTORY = 16;

    explicit LineDiscipline(LineListener& listener) : m_listener(listener) {}

    void input(char key);
    void input(StringView keys) {
        for (char c : keys)
            input(c);
    }

    StringView current() const { return {m_line, m_length}; }
    size_t cursor() const { return m_cursor; }

private:
    enum class Escape : uint8_t { None, Started, Bracket };

    void arrow(char which);
    void insert(char c);
    void erase_before_cursor();
    void move_cursor_to(size_t position);
    void replace_line(StringView text);
    void redraw_from(size_t position, size_t erased);
    void finish(bool with_newline);
    void remember(StringView text);

    LineListener& m_listener;
    char m_line[MAX_LINE];
    size_t m_length = 0;
    size_t m_cursor = 0;
    Escape m_escape = Escape::None;

    char m_history[HISTORY][MAX_LINE];
    size_t m_history_length[HISTORY] = {};
    size_t m_history_count = 0; // lines remembered, at most HISTORY
    size_t m_history_next = 0;  // the ring's next slot
    size_t m_browsing = 0;      // 0: the line being typed; n: n lines back
};

} // namespace lib
