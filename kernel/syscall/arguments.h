// Decoding syscall arguments: the registers are 64 bits wide, the ABI's slot and rights types
// are 32, and a value that does not fit must fail rather than be truncated into a valid one
// (slot 0x1_0000_0003 is not slot 3).
#pragma once

#include <cstdint>
#include <optional>

#include "abi/capability.h"
#include "abi/syscall.h"
#include "kernel/cap/cnode.h"
#include "kernel/sched/process.h"
#include "kernel/sched/thread.h"
#include "lib/result.h"

namespace kernel::syscall {

// A slot argument. Anything above 32 bits becomes an index outside the CNode (NoSlot later).
inline mnos::CapSlot slot_arg(uint64_t value) {
    return value < mnos::CNODE_SLOTS ? mnos::CapSlot(uint32_t(value))
                                     : mnos::CapSlot(mnos::CNODE_SLOTS);
}

// A destination slot argument: exactly CapSlot::NONE_VALUE (zero-extended) asks for the first
// free slot; anything else is a slot as for slot_arg().
inline std::optional<mnos::CapSlot> destination_slot_arg(uint64_t value) {
    if (value == mnos::CapSlot::NONE_VALUE)
        return std::nullopt;
    return slot_arg(value);
}

// A rights argument: InvalidArgument for any bit outside the defined rights.
inline lib::Result<mnos::Rights> rights_arg(uint64_t value) {
    if (value > UINT32_MAX || !mnos::rights_valid(uint32_t(value)))
        return lib::fail(mnos::Error::InvalidArgument);
    return mnos::Rights(uint32_t(value));
}

// The calling process. Every thread that can make a syscall belongs to one (kernel threads
// never execute SYSCALL); InvalidArgument guards the impossible case rather than crash.
inline lib::Result<sched::Process*> caller_process(sched::Thread& self) {
    if (!self.process)
        return lib::fail(mnos::Error::InvalidArgument);
    return self.process;
}

inline lib::Result<cap::CNode*> caller_cnode(sched::Thread& self) {
    sched::Process* process = TRY(caller_process(self));
    return &process->cnode();
}

// Turns a handler's Result into the RAX value.
inline int64_t to_rax(lib::Result<uint64_t> result) {
    if (!result)
        return mnos::error_result(result.error());
    return int64_t(*result);
}

} // namespace kernel::syscall
