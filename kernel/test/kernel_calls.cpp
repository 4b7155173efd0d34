#include "kernel/test/kernel_calls.h"

#include "kernel/syscall/dispatch.h"
#include "kernel/syscall/message_registers.h"

namespace kernel::test {

namespace {

using mnos::CapSlot;
using mnos::IpcMessage;
using mnos::Syscall;

syscall::SyscallFrame frame_for(Syscall number, CapSlot slot) {
    syscall::SyscallFrame frame{};
    frame.rax = uint64_t(number);
    frame.rdi = slot.index();
    frame.r9 = CapSlot::NONE_VALUE;
    frame.r13 = CapSlot::NONE_VALUE;
    return frame;
}

// The outgoing message takes the same registers an arriving one is returned in.
void put_message(syscall::SyscallFrame& frame, const IpcMessage& m) {
    syscall::write_message(frame, m);
}

void take_message(const syscall::SyscallFrame& frame, uint64_t badge, IpcMessage& m) {
    m.label = frame.rsi;
    m.words[0] = frame.rdx;
    m.words[1] = frame.r10;
    m.words[2] = frame.r8;
    m.transfer = CapSlot(uint32_t(frame.r9));
    m.transfer_rights = mnos::Rights(uint32_t(frame.r12));
    m.badge = badge;
}

// Runs the call; for calls that return a message, copies it out of the registers.
lib::Result<void> run(object::Thread& self, syscall::SyscallFrame& frame, IpcMessage* out) {
    uint64_t value = TRY(syscall::invoke(self, frame));
    if (out)
        take_message(frame, value, *out);
    return {};
}

} // namespace

lib::Result<void> ipc_send(object::Thread& self, CapSlot endpoint, const IpcMessage& message) {
    auto frame = frame_for(Syscall::Send, endpoint);
    put_message(frame, message);
    return run(self, frame, nullptr);
}

lib::Result<void> ipc_receive(object::Thread& self, CapSlot endpoint, CapSlot window,
                              IpcMessage& received) {
    auto frame = frame_for(Syscall::Recv, endpoint);
    frame.r13 = window.index();
    return run(self, frame, &received);
}

lib::Result<void> ipc_call(object::Thread& self, CapSlot endpoint, CapSlot window,
                           IpcMessage& message) {
    auto frame = frame_for(Syscall::Call, endpoint);
    put_message(frame, message);
    frame.r13 = window.index();
    return run(self, frame, &message);
}

lib::Result<void> ipc_reply(object::Thread& self, const IpcMessage& message) {
    auto frame = frame_for(Syscall::Reply, CapSlot::none());
    put_message(frame, message);
    return run(self, frame, nullptr);
}

lib::Result<void> ipc_reply_receive(object::Thread& self, CapSlot endpoint, CapSlot window,
                                    IpcMessage& message) {
    auto frame = frame_for(Syscall::ReplyRecv, endpoint);
    put_message(frame, message);
    frame.r13 = window.index();
    return run(self, frame, &message);
}

lib::Result<void> irq_wait(object::Thread& self, CapSlot line) {
    auto frame = frame_for(Syscall::WaitIrq, line);
    return run(self, frame, nullptr);
}

} // namespace kernel::test
