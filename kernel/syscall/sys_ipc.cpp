// Send, Recv, Call, ReplyRecv: messages travel in registers (abi/syscall.h), so each handler
// only moves the frame's registers into an IpcMessage and back.
#include "kernel/ipc/ipc_syscalls.h"
#include "kernel/syscall/handlers.h"

namespace kernel::syscall {

namespace {

using mnos::CapSlot;
using mnos::IpcMessage;

// R9 packs the capability transfer: the slot in the low 32 bits, the rights above.
IpcMessage message_from(const SyscallFrame& f) {
    IpcMessage m;
    m.label = f.rsi;
    m.words[0] = f.rdx;
    m.words[1] = f.r10;
    m.words[2] = f.r8;
    m.transfer = CapSlot(uint32_t(f.r9));
    m.transfer_rights = mnos::Rights(uint32_t(f.r9 >> 32));
    return m;
}

void message_to(SyscallFrame& f, const IpcMessage& m) {
    f.rsi = m.label;
    f.rdx = m.words[0];
    f.r10 = m.words[1];
    f.r8 = m.words[2];
    f.r9 = uint64_t(m.transfer.index()) | (uint64_t(m.transfer_rights) << 32);
}

bool slot_argument(uint64_t value, CapSlot& slot) {
    if (value > UINT32_MAX)
        return false;
    slot = CapSlot(uint32_t(value));
    return true;
}

bool rights_argument(const IpcMessage& m) { return mnos::rights_valid(uint32_t(m.transfer_rights)); }

} // namespace

// The shared shape of the calls that send: parse the endpoint slot and the outgoing message,
// run `operation`, and on success put what came back (if anything) into the registers.
template <typename Operation>
int64_t send_like(SyscallFrame& frame, bool returns_message, Operation operation) {
    CapSlot endpoint;
    IpcMessage m = message_from(frame);
    if (!slot_argument(frame.arg0(), endpoint))
        return fail(mnos::Error::NoSlot);
    if (!rights_argument(m))
        return fail(mnos::Error::InvalidArgument);
    auto r = operation(endpoint, m);
    if (!r)
        return fail(r.error());
    if (returns_message)
        message_to(frame, m);
    return 0;
}

int64_t sys_send(sched::Thread& self, SyscallFrame& frame) {
    return send_like(frame, false, [&](CapSlot endpoint, IpcMessage& m) {
        return ipc::ipc_send(self, endpoint, m);
    });
}

int64_t sys_recv(sched::Thread& self, SyscallFrame& frame) {
    CapSlot endpoint;
    if (!slot_argument(frame.arg0(), endpoint))
        return fail(mnos::Error::NoSlot);
    // The accept slot comes in R9's low half (CapSlot::none() when no capability is accepted).
    CapSlot window = CapSlot(uint32_t(frame.r9));
    IpcMessage m;
    auto r = ipc::ipc_receive(self, endpoint, window, m);
    if (!r)
        return fail(r.error());
    message_to(frame, m);
    return 0;
}

// A reply's capability lands in the slot the request's transfer named as its window.
int64_t sys_call(sched::Thread& self, SyscallFrame& frame) {
    return send_like(frame, true, [&](CapSlot endpoint, IpcMessage& m) {
        return ipc::ipc_call(self, endpoint, CapSlot::none(), m);
    });
}

int64_t sys_reply_recv(sched::Thread& self, SyscallFrame& frame) {
    return send_like(frame, true, [&](CapSlot endpoint, IpcMessage& m) {
        return ipc::ipc_reply_receive(self, endpoint, CapSlot::none(), m);
    });
}

} // namespace kernel::syscall
