#include "kernel/debug/log.h"

#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/dev/framebuffer_console.h"
#include "kernel/dev/serial.h"
#include "kernel/irq/tick.h"
#include "kernel/sync/spinlock.h"
#include "lib/command_line.h"

namespace kernel::log {

namespace {

// A leaf: any code may log under its own locks, so this one ranks last.
IrqSpinlock g_lock{LockRank::Log};
bool g_lock_broken = false;

// The serial driver's line and the kernel's lines share COM1. While the driver is inside a line
// (its last byte was not '\n') a kernel line is held here and goes out when the driver ends its
// line, so a program's line is not cut in two by "[1] init: ..." arriving in the middle of it.
// A line the driver leaves open (a prompt waiting for input) holds the kernel's lines for at
// most HOLD_TICKS; then they go out behind it, as on any console shared with a system log.
// A line too long for the buffer goes out at once, after what is held.
constexpr uint64_t HOLD_TICKS = irq::TICK_HZ / 5; // 200 ms
struct HeldLines {
    char text[4096];
    size_t length;
    uint64_t since_tick; // when the oldest held byte arrived
};
constinit HeldLines g_held GUARDED_BY(g_lock) = {};
// Read without the lock by the timer tick to skip the lock when nothing is held.
std::atomic<bool> g_holding{false};
bool g_driver_inside_line GUARDED_BY(g_lock) = false;
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

// REQUIRES(g_lock), or the lock broken by a panic.
void release_held() NO_THREAD_SAFETY_ANALYSIS {
    serial::write(lib::StringView(g_held.text, g_held.length));
    g_held.length = 0;
    g_holding.store(false, std::memory_order_relaxed);
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

// NO_THREAD_SAFETY_ANALYSIS: a Line holds the lock (Line::Line).
void Line::write(lib::StringView text) NO_THREAD_SAFETY_ANALYSIS {
    if (!m_sent && !g_lock_broken && g_driver_inside_line &&
        text.length() <= sizeof g_held.text - g_held.length) {
        if (g_held.length == 0) {
            g_held.since_tick = irq::ticks();
            g_holding.store(true, std::memory_order_relaxed);
        }
        __builtin_memcpy(g_held.text + g_held.length, text.data(), text.length());
        g_held.length += text.length();
    } else {
        if (g_held.length != 0) // what came first goes out first
            release_held();
        m_sent = true; // the rest of this line follows what is out, not into the buffer
        serial::write(text);
    }
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
    g_driver_inside_line = value != '\n';
    if (!g_driver_inside_line && g_held.length != 0)
        release_held();
    g_lock.unlock(interrupts_were_enabled);
}

void release_stale_lines() {
    if (!g_holding.load(std::memory_order_relaxed))
        return;
    // From the timer interrupt: interrupts are off.
    g_lock.lock_interrupts_off();
    if (!g_lock_broken && g_held.length != 0 && irq::ticks() - g_held.since_tick >= HOLD_TICKS) {
        release_held();
        // The kernel's lines now stand behind the open line; until the driver writes again,
        // later ones need not wait for it.
        g_driver_inside_line = false;
    }
    g_lock.unlock_interrupts_off();
}

void break_lock_for_panic() {
    g_lock_broken = true;
    release_held(); // the lines before the panic explain it
}

namespace {
bool g_process_lines = true; // set once at boot, before any process exists
} // namespace

void configure(lib::StringView command_line, bool self_test) {
    g_process_lines = self_test || lib::command_line_value(command_line, "log") == lib::StringView("verbose");
}

bool process_lines() { return g_process_lines; }

void hand_screen_over() { g_screen_handed_over.store(true, std::memory_order_relaxed); }

} // namespace kernel::log
