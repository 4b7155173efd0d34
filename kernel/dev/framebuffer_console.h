// Text console on the boot framebuffer: 8x16 glyphs, 16 colours, scrolling.
//
// No lock of its own: the kernel log is its only writer and serialises every call under the log
// lock (kernel/debug/log.cpp). The functions carry no REQUIRES for it, because a panic breaks
// that lock and writes without it (the other CPUs are then no longer logging).
#pragma once

#include <cstdint>

#include "kernel/boot/boot_info.h"
#include "lib/string_view.h"

namespace kernel::console {

enum class Colour : uint8_t {
    Black, Blue, Green, Cyan, Red, Magenta, Brown, LightGrey,
    DarkGrey, LightBlue, LightGreen, LightCyan, LightRed, Pink, Yellow, White,
};

// Starts drawing on `fb`, which must be mapped at `pixels` (uncached or write-combining is the
// caller's business). Without a usable framebuffer the console stays off and writes do nothing.
void init(const Framebuffer& fb, void* pixels);
bool active();
void set_foreground(Colour colour);
void write(lib::StringView text);

// Text-grid size, for tests and for the panic screen.
uint32_t columns();
uint32_t rows();

} // namespace kernel::console
