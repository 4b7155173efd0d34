// The synchronous IPC message: a label and three machine words, passed in registers, plus an
// optional capability transfer. The kernel copies a message straight from the sender's buffer
// to the receiver's; it never queues message contents. See docs/capabilities.md.
#pragma once

#include <cstdint>

#include "abi/capability.h"

namespace mnos {

inline constexpr uint32_t IPC_MESSAGE_WORDS = 3;

struct IpcMessage {
    // Chosen by the sender (an operation code, say); the kernel does not interpret it.
    uint64_t label = 0;
    uint64_t words[IPC_MESSAGE_WORDS] = {};
    // Sending: the sender's slot whose capability travels with the message, or none. The
    // capability needs GRANT; the receiver gets a copy derived from it with `transfer_rights`,
    // which may only narrow. Receiving: the slot the capability landed in, or none.
    CapSlot transfer = CapSlot::none();
    Rights transfer_rights = Rights::None;
    // Receiving: the badge of the endpoint capability the sender used (Mint), 0 for an unbadged
    // one and for a reply. Ignored when sending: a sender cannot choose its badge.
    uint64_t badge = 0;
};

} // namespace mnos
