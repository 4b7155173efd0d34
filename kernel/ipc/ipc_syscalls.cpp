#include "kernel/ipc/ipc_syscalls.h"

#include "kernel/cap/cnode.h"
#include "kernel/ipc/ipc.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/irq_line.h"
#include "kernel/sched/scheduler.h"

namespace kernel::ipc {

using mnos::CapSlot;
using mnos::Error;
using mnos::IpcMessage;
using mnos::Rights;
using object::Endpoint;

namespace {

lib::Result<cap::CNode*> cnode_of(sched::Thread& self) {
    // Only the calling thread can block, and only a process's thread has capabilities.
    if (&self != sched::current() || !self.ipc.cnode)
        return lib::fail(Error::InvalidArgument);
    return self.ipc.cnode;
}

lib::Result<lib::RefPtr<Endpoint>> endpoint_in(sched::Thread& self, CapSlot slot, Rights needed) {
    cap::CNode* cnode = TRY(cnode_of(self));
    return cap::lookup_as<Endpoint>(*cnode, slot, needed);
}

// The kernel's hooks really block, so an operation that returns has completed.
lib::Result<void> completed(lib::Result<IpcStatus> status) {
    if (!status)
        return lib::fail(status.error());
    if (*status != IpcStatus::Completed)
        return lib::fail(Error::Busy);
    return {};
}

// call and reply_and_receive: the message goes out and the answer replaces it.
lib::Result<void> exchange(sched::Thread& self, CapSlot endpoint, Rights needed, CapSlot window,
                           IpcMessage& message,
                           lib::Result<IpcStatus> (*operation)(Endpoint&, IpcWaiter&)) {
    lib::RefPtr<Endpoint> ep = TRY(endpoint_in(self, endpoint, needed));
    self.ipc.message = message;
    self.ipc.receive_window = window;
    TRY(completed(operation(*ep, self.ipc)));
    message = self.ipc.message;
    return {};
}

} // namespace

lib::Result<void> ipc_send(sched::Thread& self, CapSlot endpoint, const IpcMessage& message) {
    lib::RefPtr<Endpoint> ep = TRY(endpoint_in(self, endpoint, Rights::Write));
    self.ipc.message = message;
    return completed(send(*ep, self.ipc));
}

lib::Result<void> ipc_receive(sched::Thread& self, CapSlot endpoint, CapSlot window,
                              IpcMessage& received) {
    lib::RefPtr<Endpoint> ep = TRY(endpoint_in(self, endpoint, Rights::Read));
    self.ipc.receive_window = window;
    TRY(completed(receive(*ep, self.ipc)));
    received = self.ipc.message;
    return {};
}

lib::Result<void> ipc_call(sched::Thread& self, CapSlot endpoint, CapSlot window,
                           IpcMessage& message) {
    return exchange(self, endpoint, Rights::Write, window, message, call);
}

lib::Result<void> ipc_reply(sched::Thread& self, const IpcMessage& message) {
    TRY(cnode_of(self));
    self.ipc.message = message;
    return reply(self.ipc);
}

lib::Result<void> ipc_reply_receive(sched::Thread& self, CapSlot endpoint, CapSlot window,
                                    IpcMessage& message) {
    return exchange(self, endpoint, Rights::Read, window, message, reply_and_receive);
}

lib::Result<void> irq_wait(sched::Thread& self, CapSlot line) {
    cap::CNode* cnode = TRY(cnode_of(self));
    auto irq = TRY(cap::lookup_as<object::IrqLine>(*cnode, line, Rights::Read));
    auto status = TRY(irq->wait(self.irq));
    if (status != object::IrqWaitStatus::Fired)
        return lib::fail(Error::Busy);
    return {};
}

} // namespace kernel::ipc
