// The kernel log: kprint / kprintln format with lib/format.h and write each call whole to the
// serial port and the framebuffer console. One IRQ-safe lock keeps lines from different CPUs
// (and from interrupt handlers) from interleaving.
#pragma once

#include "lib/format.h"
#include "lib/string_view.h"

namespace kernel {

enum class LogColour : uint8_t { Normal, Heading, Good, Warning, Error };

namespace log {

// Holds the log lock for one kprint call.
class Line final : public lib::Output {
public:
    explicit Line(LogColour colour = LogColour::Normal);
    ~Line();
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;
    void write(lib::StringView text) override;

private:
    bool m_interrupts_were_enabled;
    bool m_sent = false; // part of this line went to the UART already
};

// From the serial driver's start the kernel and the driver share COM1. A byte a driver writes
// to the transmit register goes out between two of the kernel's lines, never inside one: the
// kernel's line is written under the log lock, and so is this byte. The other way round, a
// kernel line logged while the driver is inside a line waits until the driver's '\n', or
// until release_stale_lines() finds it waited 200 ms (a prompt waiting for input).
void out8_between_lines(uint16_t port, uint8_t value);
// From the boot CPU's timer tick: sends the kernel's lines that waited too long for the
// driver's line to end.
void release_stale_lines();

// A panicking CPU must be able to print even if it (or a stopped CPU) held the lock. It draws
// on the framebuffer again too, even after hand_screen_over().
void break_lock_for_panic();

// Whether the kernel logs each process's start and end ("process 5 (/bin/hello): entering
// Ring 3", "... exited with code 0", "... killed"): under a self-test (test=) or with
// log=verbose on the command line. A normal boot leaves them out: the shell and init report
// every end themselves, and on the serial line the driver and the kernel share, the kernel's
// lines would only crowd the programs' own.
// Faults are always logged.
void configure(lib::StringView command_line, bool self_test);
bool process_lines();

// The screen service in Ring 3 owns the framebuffer from now on (docs/console.md): the log
// goes to serial only, until a panic.
void hand_screen_over();

} // namespace log

template <typename... Args> void kprint(lib::CheckedFormat<Args...> fmt, const Args&... args) {
    log::Line line;
    lib::format_to(line, fmt, args...);
}

template <typename... Args> void kprintln(lib::CheckedFormat<Args...> fmt, const Args&... args) {
    log::Line line;
    lib::format_to(line, fmt, args...);
    line.write("\n");
}

template <typename... Args>
void kprintln(LogColour colour, lib::CheckedFormat<Args...> fmt, const Args&... args) {
    log::Line line(colour);
    lib::format_to(line, fmt, args...);
    line.write("\n");
}

} // namespace kernel
