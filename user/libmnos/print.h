// println() and print(): formatted output for Ring 3 programs, with the formatter (lib/format.h)
// the kernel uses. It goes to the program's console when it has one, else to the kernel's debug
// log (user/libmnos/console.h).
#pragma once

#include "lib/format.h"
#include "user/libmnos/console.h"

namespace mnos {

class ProgramOutput final : public lib::Output {
public:
    void write(lib::StringView text) override {
        for (char c : text) {
            if (m_length == sizeof m_buffer)
                flush();
            m_buffer[m_length++] = c;
        }
    }
    void flush() {
        if (m_length)
            (void)write_output({m_buffer, m_length});
        m_length = 0;
    }

private:
    char m_buffer[256];
    size_t m_length = 0;
};

// Buffered per call, so one println is one log line even with several threads printing.
template <typename... Args> void println(lib::CheckedFormat<Args...> fmt, const Args&... args) {
    ProgramOutput out;
    lib::format_to(out, fmt, args...);
    out.write("\n");
    out.flush();
}

template <typename... Args> void print(lib::CheckedFormat<Args...> fmt, const Args&... args) {
    ProgramOutput out;
    lib::format_to(out, fmt, args...);
    out.flush();
}

} // namespace mnos
