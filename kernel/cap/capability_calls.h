// The calls that act on a capability itself, whatever its type (Invokes::AnyCapability in
// abi/syscall.h): decode() has found the slot in RDI holding something, with the rights the
// table names; these are the operations of cnode.h and derivation.h on it.
#pragma once

#include "kernel/syscall/invocation.h"

namespace kernel::cap {

// (source, process, destination or none, rights) -> the slot used; GRANT on the source, WRITE
// on the target Process.
lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Delegate>, syscall::Invocation&);
// (slot) -> 0
lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::DropCap>, syscall::Invocation&);
// (slot) -> how many capabilities were removed; REVOKE
lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Revoke>, syscall::Invocation&);
// (slot) -> the type; RSI the rights, RDX the badge
lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Inspect>, syscall::Invocation&);

} // namespace kernel::cap
