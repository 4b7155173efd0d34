// println(): formatted output for Ring 3 programs through the kernel's debug log, the same
// formatter (lib/format.h) the kernel uses.
#pragma once

#include "lib/format.h"
#include "user/libmnos/syscall.h"

namespace mnos {

class DebugLogOutput final : public lib::Output {
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
            (void)sys::debug_log(m_buffer, m_length);
        m_length = 0;
    }

private:
    char m_buffer[256];
    size_t m_length = 0;
};

// Buffered per call, so one println is one log line even with several threads printing.
template <typename... Args> void println(lib::CheckedFormat<Args...> fmt, const Args&... args) {
    DebugLogOutput out;
    lib::format_to(out, fmt, args...);
    out.write("\n");
    out.flush();
}

} // namespace mnos
