#include "kernel/cap/derivation.h"

#include "kernel/cap/cap_lock.h"

namespace kernel::cap {

using mnos::CapSlot;
using mnos::Error;
using mnos::Rights;

namespace {

// The source of a delegate or revoke: present and holding `needed`.
lib::Result<Capability*> source_locked(CNode& cnode, CapSlot slot, Rights needed) {
    Capability* capability = cnode.slot_locked(slot);
    if (!capability)
        return lib::fail(Error::NoSlot);
    if (capability->is_empty())
        return lib::fail(Error::EmptySlot);
    if (!mnos::has_rights(capability->rights, needed))
        return lib::fail(Error::MissingRights);
    return capability;
}

} // namespace

void clear_capability_locked(Capability& capability, DeferredRelease& released) {
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
    released.add(std::move(capability.object));
    capability.type = mnos::CapType::Empty;
    capability.rights = Rights::None;
}

lib::Result<CapSlot> delegate(CNode& from, CapSlot from_slot, CNode& to,
                              std::optional<CapSlot> to_slot, Rights rights) {
    if (!mnos::rights_valid(uint32_t(rights)))
        return lib::fail(Error::InvalidArgument);
    Guard guard(capability_lock());
    Capability* source = TRY(source_locked(from, from_slot, Rights::Grant));
    if (!mnos::is_subset(rights, source->rights))
        return lib::fail(Error::MissingRights);
    Capability* copy = TRY(to.free_slot_locked(to_slot));
    // Every check has passed; nothing below can fail.
    copy->object = source->object;
    copy->type = source->type;
    copy->rights = rights;
    copy->parent = source;
    source->children.push_back(*copy);
    return to.slot_of(*copy);
}

lib::Result<size_t> revoke(CNode& cnode, CapSlot slot) {
    DeferredRelease released; // destroyed after the guard: objects die outside the lock
    Guard guard(capability_lock());
    Capability* root = TRY(source_locked(cnode, slot, Rights::Revoke));
    // Post-order without recursion (kernel stacks are small and trees may be deep): descend to
    // a leaf of the subtree, clear it, repeat until the root has no children left.
    size_t removed = 0;
    while (!root->children.empty()) {
        Capability* leaf = root->children.front();
        while (!leaf->children.empty())
            leaf = leaf->children.front();
        clear_capability_locked(*leaf, released);
        ++removed;
    }
    return removed;
}

} // namespace kernel::cap
