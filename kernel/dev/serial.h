// 16550 UART on COM1: the kernel log's first and most reliable output. Like the console, it has
// no lock of its own: the log lock serialises write() (kernel/dev/framebuffer_console.h says why
// that is not a REQUIRES).
#pragma once

#include <cstdint>

#include "lib/string_view.h"

namespace kernel::serial {

// Programs COM1 for 115200 8N1 with FIFOs and checks it with a loopback round trip.
// Returns false (and stays silent from then on) when no UART answers.
bool init();
bool present();
void write(lib::StringView text);
// The port of the transmit register, which a Ring 3 serial driver writes too
// (log::out8_between_lines).
inline constexpr uint16_t TRANSMIT_PORT = 0x3f8;

// Receiving (for the receive interrupt; the log itself only ever transmits, polled).
// Enables or disables the "received data available" interrupt (IER bit 0); the UART raises ISA
// IRQ 4 while a byte waits. OUT2, which gates that line on PCs, is already on.
void set_receive_interrupt(bool enabled);
// The next received byte, or -1 if none is waiting.
int read_byte();

} // namespace kernel::serial
