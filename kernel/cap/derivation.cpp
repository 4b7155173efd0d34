#include "kernel/cap/derivation.h"

#include "abi/syscall.h"
#include "kernel/cap/cap_lock.h"

namespace kernel::cap {

using mnos::CapSlot;
using mnos::Error;
using mnos::Rights;

namespace {

// How many capabilities one hold of the derivation lock removes at most: a revoke of a huge
// tree lets interrupts in (and other CPUs at the lock) between batches.
constexpr size_t REVOKE_BATCH = 32;

// The source of a delegate, mint or revoke, with the derivation lock held (so it cannot be
// removed while the caller works on it): present and holding `needed`.
lib::Result<Capability*> source_locked(CNode& cnode, CapSlot slot, Rights needed)
    REQUIRES(DERIVATION_LOCK) {
    Guard guard(cnode.lock());
    Capability* capability = TRY(cnode.filled_slot_locked(slot));
    if (!mnos::has_rights(capability->rights, needed))
        return lib::fail(Error::MissingRights);
    return capability;
}

// The shared body of delegate() and mint(): a child of `from_slot` in `to`.
lib::Result<CapSlot> copy(CNode& from, CapSlot from_slot, CNode& to,
                          std::optional<CapSlot> to_slot, Rights rights,
                          std::optional<uint64_t> badge) {
    if (!mnos::rights_valid(uint32_t(rights)))
        return lib::fail(Error::InvalidArgument);
    Guard tree(derivation_lock());
    Capability* source = TRY(source_locked(from, from_slot, Rights::Grant));
    // The source's contents cannot change while the derivation lock is held: only removal
    // changes a filled slot, and removal takes this lock.
    if (!mnos::is_subset(rights, source->rights))
        return lib::fail(Error::MissingRights);
    if (badge && (source->type != mnos::CapType::IpcEndpoint || source->badge != 0 ||
                  *badge == 0 || *badge >= mnos::BADGE_LIMIT))
        return lib::fail(Error::InvalidArgument);
    Capability* placed;
    {
        Guard guard(to.lock());
        placed = TRY(to.free_slot_locked(to_slot));
        // Every check has passed; nothing below can fail.
        placed->object = source->object;
        placed->object->capability_added();
        placed->type = source->type;
        placed->rights = rights;
        placed->badge = badge ? *badge : source->badge;
    }
    placed->parent = source;
    source->children.push_back(*placed);
    return to.slot_of(*placed);
}

} // namespace

void clear_capability_locked(Capability& capability, DeferredRelease& released)
    REQUIRES(DERIVATION_LOCK) {
    // Children move up to the grandparent, keeping their order, so revoking an ancestor of the
    // dropped capability still reaches them.
    while (Capability* child = capability.children.pop_front()) {
        child->parent = capability.parent;
        if (capability.parent)
            capability.parent->children.push_back(*child);
    }
    if (capability.parent)
        capability.parent->children.remove(capability);
    capability.parent = nullptr;
    Guard guard(capability.owner->lock());
    bool last = capability.object->capability_removed();
    released.add(std::move(capability.object), last);
    capability.type = mnos::CapType::Empty;
    capability.rights = Rights::None;
    capability.badge = 0;
}

lib::Result<CapSlot> delegate(CNode& from, CapSlot from_slot, CNode& to,
                              std::optional<CapSlot> to_slot, Rights rights) {
    return copy(from, from_slot, to, to_slot, rights, std::nullopt);
}

lib::Result<CapSlot> mint(CNode& cnode, CapSlot from_slot, uint64_t badge, Rights rights) {
    return copy(cnode, from_slot, cnode, std::nullopt, rights, badge);
}

lib::Result<size_t> revoke(CNode& cnode, CapSlot slot) {
    size_t removed = 0;
    for (;;) {
        DeferredRelease released; // destroyed after the guard: objects die outside the lock
        Guard tree(derivation_lock());
        // Looked up again for every batch: between batches the capability itself may have been
        // dropped, and then the revoke is over (its subtree moved up to its parent).
        auto found = source_locked(cnode, slot, Rights::Revoke);
        if (!found && removed > 0)
            return removed;
        if (!found)
            return lib::fail(found.error());
        Capability* root = *found;
        // Post-order without recursion (kernel stacks are small and trees may be deep): descend
        // to a leaf of the subtree, clear it, repeat until the root has no children left.
        for (size_t batch = 0; batch < REVOKE_BATCH; ++batch) {
            if (root->children.empty())
                return removed;
            Capability* leaf = root->children.front();
            while (!leaf->children.empty())
                leaf = leaf->children.front();
            clear_capability_locked(*leaf, released);
            ++removed;
        }
    }
}

} // namespace kernel::cap
