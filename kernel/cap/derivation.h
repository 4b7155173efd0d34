// Delegation, minting and revocation: the operations that grow and prune the derivation tree.
// Each takes the derivation lock (cap_lock.h) and, inside it, one CNode lock at a time.
#pragma once

#include <cstddef>
#include <optional>

#include "kernel/cap/cap_lock.h"
#include "kernel/cap/capability.h"
#include "kernel/cap/cnode.h"
#include "kernel/cap/deferred_release.h"

namespace kernel::cap {

// Copies the capability in `from`/`from_slot` into `to` (into `to_slot`, or the first free slot
// when none is named), as a child of the source with `rights` and the source's badge. Needs
// GRANT on the source; `rights` must be a subset of the source's rights (a copy can only
// narrow). `to` may be `from`. Errors: NoSlot / EmptySlot for the source; MissingRights without
// GRANT or when `rights` would widen; InvalidArgument for undefined rights bits; NoSlot /
// SlotInUse for the destination.
lib::Result<mnos::CapSlot> delegate(CNode& from, mnos::CapSlot from_slot, CNode& to,
                                    std::optional<mnos::CapSlot> to_slot, mnos::Rights rights);

// delegate() within one CNode that also sets a badge: the source must be an unbadged endpoint
// capability and `badge` non-zero and below mnos::BADGE_LIMIT (InvalidArgument otherwise).
lib::Result<mnos::CapSlot> mint(CNode& cnode, mnos::CapSlot from_slot, uint64_t badge,
                                mnos::Rights rights);

// Removes every capability derived from the one in `slot`, transitively and in every CNode, and
// keeps that one. Needs REVOKE. Returns how many capabilities were removed (the Revoke syscall
// reports it). NoSlot / EmptySlot / MissingRights. A large tree is removed in batches, with the
// lock released (and interrupts allowed) between them.
lib::Result<size_t> revoke(CNode& cnode, mnos::CapSlot slot);

// With the derivation lock held: empties `capability` (under its CNode's lock), reattaching its
// children to its parent, and hands its object reference to `released`. For drop(), revoke()
// and CNode's destructor.
void clear_capability_locked(Capability& capability, DeferredRelease& released)
    REQUIRES(DERIVATION_LOCK);

} // namespace kernel::cap
