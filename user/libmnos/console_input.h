// A driver's connection to the console service's input endpoint (abi/console.h, Input): the
// serial driver and the keyboard driver push what is typed through one of these.
#pragma once

#include <cstddef>

#include "abi/init.h"

namespace mnos {

class ConsoleInput {
public:
    // `slot`: a free CNode slot the connection lives in.
    explicit ConsoleInput(CapSlot slot) : m_slot(slot) {}

    // Sends `bytes` to the console, looking it up first if need be. A console that went away
    // (its capability revoked when it ended, or it ended in our call) is looked up once more;
    // with no console (not started yet, or restarting) the bytes are dropped, as a terminal
    // nobody watches would drop them. False when they were dropped.
    bool push(const char* bytes, size_t count);

private:
    CapSlot m_slot;
    bool m_connected = false;
};

} // namespace mnos
