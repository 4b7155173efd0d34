// An IPC message in the registers (abi/syscall.h): label RSI, words RDX, R10, R8, the
// transferred capability's slot in R9 and its rights in R12, the receive window in R13.
#pragma once

#include "abi/ipc.h"
#include "kernel/syscall/invocation.h"

namespace kernel::syscall {

// The outgoing message, into `m` (the sender's own buffer: no copy of it on the way); NoSlot
// for a transfer slot above 32 bits, InvalidArgument for undefined transfer rights.
inline lib::Result<void> read_message(const SyscallFrame& f, mnos::IpcMessage& m) {
    m = {};
    m.label = f.rsi;
    m.words[0] = f.rdx;
    m.words[1] = f.r10;
    m.words[2] = f.r8;
    if (auto transfer = TRY(optional_slot_argument(f.r9))) {
        m.transfer = *transfer;
        m.transfer_rights = TRY(rights_argument(f.r12));
    }
    return {};
}

// Where a capability that arrives may land (R13), or none.
inline lib::Result<mnos::CapSlot> receive_window(const SyscallFrame& f) {
    auto window = TRY(optional_slot_argument(f.r13));
    return window ? *window : mnos::CapSlot::none();
}

// What arrived, into the same registers; R9 is the slot the capability landed in (or none).
inline void write_message(SyscallFrame& f, const mnos::IpcMessage& m) {
    f.rsi = m.label;
    f.rdx = m.words[0];
    f.r10 = m.words[1];
    f.r8 = m.words[2];
    f.r9 = m.transfer.index();
    f.r12 = uint32_t(m.transfer_rights);
}

} // namespace kernel::syscall
