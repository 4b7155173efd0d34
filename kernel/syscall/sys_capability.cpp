// Delegate, DropCap and Revoke: the capability operations of kernel/cap, reachable from Ring 3.
// The capability core already checks everything in the right order and changes nothing on
// failure; these handlers only decode the registers and find the CNodes.
#include "kernel/cap/derivation.h"
#include "kernel/syscall/arguments.h"
#include "kernel/syscall/handlers.h"

namespace kernel::syscall {

namespace {

// (source slot, process slot, destination slot | CapSlot::NONE_VALUE, rights) -> slot index
lib::Result<uint64_t> delegate(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    mnos::Rights rights = TRY(rights_arg(frame.arg3()));
    // WRITE on the target process: putting a capability into its CNode changes it.
    auto target = TRY(cap::lookup_as<object::ProcessObject>(*cnode, slot_arg(frame.arg1()),
                                                           mnos::Rights::Write));
    // GRANT on the source and narrowing only are cap::delegate's checks. `target` keeps the
    // process (and so its CNode) alive for the call even if it exits meanwhile.
    mnos::CapSlot placed = TRY(cap::delegate(*cnode, slot_arg(frame.arg0()), target->cnode(),
                                             destination_slot_arg(frame.arg2()), rights));
    return placed.index();
}

lib::Result<uint64_t> drop_cap(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    TRY(cap::drop(*cnode, slot_arg(frame.arg0())));
    return 0;
}

lib::Result<uint64_t> revoke(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    return TRY(cap::revoke(*cnode, slot_arg(frame.arg0())));
}

} // namespace

int64_t sys_delegate(sched::Thread& self, SyscallFrame& frame) {
    return to_rax(delegate(self, frame));
}
int64_t sys_drop_cap(sched::Thread& self, SyscallFrame& frame) {
    return to_rax(drop_cap(self, frame));
}
int64_t sys_revoke(sched::Thread& self, SyscallFrame& frame) { return to_rax(revoke(self, frame)); }

} // namespace kernel::syscall
