// The capability lock: one global IrqSpinlock over every CNode and the derivation tree that
// links them. A revoke walks capabilities in many CNodes at once; with a single lock it sees a
// consistent tree and cannot deadlock, at the price of serialising capability operations (which
// are short: no allocation, no blocking, no object destruction under the lock).
//
// Lock order (take left before right, never the reverse):
//
//     IPC lock (kernel/ipc)  ->  capability lock  ->  kernel heap lock
//
// Under the capability lock nothing allocates and no object is destroyed: the last reference
// to an object removed under the lock is released after the lock is dropped (DeferredRelease),
// because destroying a Process drops every capability in its CNode, which takes this lock.
#pragma once

#include "kernel/sync/spinlock.h"

namespace kernel::cap {

IrqSpinlock& capability_lock();

} // namespace kernel::cap
