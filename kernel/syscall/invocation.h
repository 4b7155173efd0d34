// Invocation: one system call after decoding. The entry (dispatch.cpp) builds it from the saved
// registers and the calling thread; decode() checks the number and looks the invoked
// capability up, once, with the type and rights the call's row of MNOS_SYSCALLS names; then the
// object's own method runs:
//
//     lib::Result<uint64_t> Endpoint::invoke(syscall::Op<mnos::Syscall::Send>, Invocation&);
//
// A method finds its further arguments here, already in the shapes the ABI defines: slots
// checked in full width (a register value above 32 bits is NoSlot, never truncated), rights
// without undefined bits, other capabilities through the same lookup. Nothing here depends on
// the scheduler, so the host tests run invocations of the hardware-free objects as they are.
#pragma once

#include <cstdint>
#include <optional>

#include "abi/syscall.h"
#include "kernel/cap/cnode.h"
#include "kernel/syscall/syscall_frame.h"
#include "lib/result.h"

namespace kernel::ipc {
struct IpcWaiter;
}
namespace kernel::object {
class Thread;
struct IrqWaiter;
} // namespace kernel::object

namespace kernel::syscall {

// The tag that says which call an invoke() overload implements. An object type whose row in
// MNOS_SYSCALLS has no matching overload does not compile (dispatch.cpp).
template <mnos::Syscall S> struct Op {};

// A slot argument: NoSlot for any value above 32 bits (CapSlot::none() is not a slot either).
inline lib::Result<mnos::CapSlot> slot_argument(uint64_t value) {
    if (value > UINT32_MAX)
        return lib::fail(mnos::Error::NoSlot);
    return mnos::CapSlot(uint32_t(value));
}

// An optional slot (a destination, a receive window): exactly CapSlot::NONE_VALUE, zero-
// extended, means none; anything else is a slot as for slot_argument().
inline lib::Result<std::optional<mnos::CapSlot>> optional_slot_argument(uint64_t value) {
    if (value == mnos::CapSlot::NONE_VALUE)
        return std::optional<mnos::CapSlot>();
    return std::optional<mnos::CapSlot>(TRY(slot_argument(value)));
}

// A rights argument: InvalidArgument for any bit outside the defined rights.
inline lib::Result<mnos::Rights> rights_argument(uint64_t value) {
    if (value > UINT32_MAX || !mnos::rights_valid(uint32_t(value)))
        return lib::fail(mnos::Error::InvalidArgument);
    return mnos::Rights(uint32_t(value));
}

struct Invocation {
    SyscallFrame& registers;
    cap::CNode& cnode;         // the caller's capabilities
    ipc::IpcWaiter& ipc;       // the caller's part in IPC
    object::IrqWaiter& irq;    // and in IRQ waits
    object::Thread* caller;    // null in host tests

    // What RDI named, for calls that invoke a capability (filled by decode()).
    mnos::CapSlot slot;
    cap::Found target;

    // The invoked object as its class; decode() checked the type.
    template <typename T> T& object() const {
        // Sound: decode() looked the capability up with T::CAP_TYPE (the table row's type, which
        // is how dispatch picked T), and an object of that type tag is a T.
        return static_cast<T&>(*target.object);
    }

    // A further capability argument, looked up like the invoked one.
    template <typename T>
    lib::Result<lib::RefPtr<T>> object_argument(uint64_t slot_register, mnos::Rights needed) {
        mnos::CapSlot slot_value = TRY(slot_argument(slot_register));
        return cap::lookup_as<T>(cnode, slot_value, needed);
    }
};

// The row of MNOS_SYSCALLS for RAX, or InvalidArgument for a number no call has.
inline lib::Result<const mnos::SyscallSpec*> decode_number(uint64_t number) {
    const mnos::SyscallSpec* spec = mnos::syscall_spec(number);
    if (!spec)
        return lib::fail(mnos::Error::InvalidArgument);
    return spec;
}

// Looks up the capability in RDI as `spec` says (NoSlot, EmptySlot, WrongType, MissingRights,
// in that order) and records it in `invocation`; nothing for calls that invoke nothing.
lib::Result<void> decode_target(const mnos::SyscallSpec& spec, Invocation& invocation);

} // namespace kernel::syscall
