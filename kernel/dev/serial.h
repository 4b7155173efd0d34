// 16550 UART on COM1: the kernel log's first and most reliable output.
#pragma once

#include <cstdint>

#include "lib/string_view.h"

namespace kernel::serial {

// Programs COM1 for 115200 8N1 with FIFOs and checks it with a loopback round trip.
// Returns false (and stays silent from then on) when no UART answers.
bool init();
bool present();
void write(lib::StringView text);

} // namespace kernel::serial
