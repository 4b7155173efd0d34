#include "kernel/debug/log.h"

#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/dev/framebuffer_console.h"
#include "kernel/dev/serial.h"
#include "kernel/sync/spinlock.h"
#include "lib/command_line.h"

namespace kernel::log {

namespace {

// A leaf: any code may log under its own locks, so this one ranks last.
IrqSpinlock g_lock{LockRank::Log};
bool g_lock_broken = false;
// Set once, when init starts; read under the lock or by a panicking CPU.
std::atomic<bool> g_screen_handed_over{false};

console::Colour console_colour(LogColour colour) {
    switch (colour) {
    case LogColour::Heading: return console::Colour::Cyan;
    case LogColour::Good: return console::Colour::Green;
    case LogColour::Warning: return console::Colour::Yellow;
    case LogColour::Error: return console::Colour::Red;
    case LogColour::Normal: break;
    }
    return console::Colour::LightGrey;
}

} // namespace

// NO_THREAD_SAFETY_ANALYSIS: the lock is held for a Line's lifetime, from this constructor to
// the destructor, unless a panic broke it first; the analysis cannot follow a lock held by an
// object whose scope the caller owns, and the lock is private to this file.
Line::Line(LogColour colour) NO_THREAD_SAFETY_ANALYSIS {
    if (g_lock_broken) {
        m_interrupts_were_enabled = false;
    } else {
        m_interrupts_were_enabled = g_lock.lock();
    }
    console::set_foreground(console_colour(colour));
}

Line::~Line() NO_THREAD_SAFETY_ANALYSIS { // see Line::Line
    console::set_foreground(console::Colour::LightGrey);
    if (!g_lock_broken)
        g_lock.unlock(m_interrupts_were_enabled);
}

void Line::write(lib::StringView text) {
    serial::write(text);
    if (g_lock_broken || !g_screen_handed_over.load(std::memory_order_relaxed))
        console::write(text);
}

void out8_between_lines(uint16_t port, uint8_t value) {
    if (g_lock_broken) { // the panic's lines are what matters now
        cpu::out8(port, value);
        return;
    }
    bool interrupts_were_enabled = g_lock.lock();
    cpu::out8(port, value);
    g_lock.unlock(interrupts_were_enabled);
}

void break_lock_for_panic() { g_lock_broken = true; }

namespace {
bool g_process_lines = true; // set once at boot, before any process exists
} // namespace

void configure(lib::StringView command_line, bool self_test) {
    g_process_lines = self_test || lib::command_line_value(command_line, "log") == lib::StringView("verbose");
}

bool process_lines() { return g_process_lines; }

void hand_screen_over() { g_screen_handed_over.store(true, std::memory_order_relaxed); }

} // namespace kernel::log
