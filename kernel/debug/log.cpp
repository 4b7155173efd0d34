#include "kernel/debug/log.h"

#include "kernel/dev/framebuffer_console.h"
#include "kernel/dev/serial.h"
#include "kernel/sync/spinlock.h"

namespace kernel::log {

namespace {

IrqSpinlock g_lock;
bool g_lock_broken = false;

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

Line::Line(LogColour colour) {
    if (g_lock_broken) {
        m_interrupts_were_enabled = false;
    } else {
        m_interrupts_were_enabled = g_lock.lock();
    }
    console::set_foreground(console_colour(colour));
}

Line::~Line() {
    console::set_foreground(console::Colour::LightGrey);
    if (!g_lock_broken)
        g_lock.unlock(m_interrupts_were_enabled);
}

void Line::write(lib::StringView text) {
    serial::write(text);
    console::write(text);
}

void break_lock_for_panic() { g_lock_broken = true; }

} // namespace kernel::log
