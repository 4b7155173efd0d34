// The capability locks. Each CNode has its own lock over its slots' contents, so a lookup (on
// every syscall) takes only the caller's CNode lock and never waits for a capability operation
// in another process. The derivation tree that links capabilities across CNodes has one global
// lock, taken only by the operations that change it (delegate, mint, drop, revoke, a CNode's
// destruction); under it no capability can be removed, so such an operation may visit several
// CNodes one after another, holding each CNode's lock only while it reads or writes that slot.
//
// Lock order (take left before right, never the reverse):
//
//     endpoint lock (kernel/object/endpoint.h)  ->  derivation lock  ->  CNode lock
//                                                                    ->  kernel heap lock
//
// Two CNode locks are never held at once. Under either lock nothing allocates and no object is
// destroyed: the last reference to an object removed under a lock is released after the lock
// is dropped (DeferredRelease), because destroying a Process destroys its CNode, which takes
// these locks.
#pragma once

#include "kernel/sync/spinlock.h"

namespace kernel::cap {

IrqSpinlock& derivation_lock();

// For REQUIRES(...) on the functions that must run under it.
#define DERIVATION_LOCK ::kernel::cap::derivation_lock()

} // namespace kernel::cap
