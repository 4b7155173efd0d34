// The one decode point: every capability a system call invokes is found here.
#include "kernel/syscall/invocation.h"

namespace kernel::syscall {

lib::Result<void> decode_target(const mnos::SyscallSpec& spec, Invocation& invocation) {
    if (spec.invokes == mnos::Invokes::Nothing)
        return {};
    invocation.slot = TRY(slot_argument(invocation.registers.arg0()));
    std::optional<mnos::CapType> type;
    if (spec.invokes == mnos::Invokes::Object)
        type = spec.type;
    invocation.target = TRY(cap::lookup_capability(invocation.cnode, invocation.slot, type,
                                                   spec.rights));
    return {};
}

} // namespace kernel::syscall
