#include "kernel/cap/cnode.h"

#include "kernel/cap/cap_lock.h"
#include "kernel/cap/deferred_release.h"
#include "kernel/cap/derivation.h"

namespace kernel::cap {

using mnos::CapSlot;
using mnos::CapType;
using mnos::Error;
using mnos::Rights;

namespace {
constinit IrqSpinlock g_derivation_lock{LockRank::Derivation};
} // namespace

IrqSpinlock& derivation_lock() { return g_derivation_lock; }

CNode::CNode() {
    for (Capability& capability : m_slots)
        capability.owner = this;
}

void CNode::clear() {
    DeferredRelease released;
    Guard tree(derivation_lock());
    for (Capability& capability : m_slots)
        if (!capability.is_empty())
            clear_capability_locked(capability, released);
}

lib::Result<CapInfo> CNode::inspect(CapSlot slot) const {
    if (!slot.in_range())
        return lib::fail(Error::NoSlot);
    Guard guard(m_lock);
    const Capability& capability = m_slots[slot.index()];
    if (capability.is_empty())
        return lib::fail(Error::EmptySlot);
    return CapInfo{capability.type, capability.rights, capability.badge};
}

size_t CNode::used_slots() const {
    Guard guard(m_lock);
    size_t used = 0;
    for (const Capability& capability : m_slots)
        used += capability.is_empty() ? 0 : 1;
    return used;
}

lib::Result<Capability*> CNode::filled_slot_locked(CapSlot slot) {
    Capability* capability = slot_locked(slot);
    if (!capability)
        return lib::fail(Error::NoSlot);
    if (capability->is_empty())
        return lib::fail(Error::EmptySlot);
    return capability;
}

lib::Result<Capability*> CNode::free_slot_locked(std::optional<CapSlot> wanted) {
    if (wanted) {
        Capability* capability = slot_locked(*wanted);
        if (!capability)
            return lib::fail(Error::NoSlot);
        if (!capability->is_empty())
            return lib::fail(Error::SlotInUse);
        return capability;
    }
    for (Capability& capability : m_slots)
        if (capability.is_empty())
            return &capability;
    return lib::fail(Error::NoSlot); // the CNode is full
}

CapSlot CNode::slot_of(const Capability& capability) const {
    // Sound: callers pass a capability that lives in m_slots, so the difference is its index.
    return CapSlot(uint32_t(&capability - m_slots.data()));
}

lib::Result<Found> lookup_capability(CNode& cnode, CapSlot slot, std::optional<CapType> expected,
                                     Rights needed) {
    Guard guard(cnode.lock());
    Capability* capability = TRY(cnode.filled_slot_locked(slot));
    if (expected && capability->type != *expected)
        return lib::fail(Error::WrongType);
    if (!mnos::has_rights(capability->rights, needed))
        return lib::fail(Error::MissingRights);
    return Found{capability->object, capability->rights, capability->badge};
}

lib::Result<lib::RefPtr<object::KernelObject>> lookup(CNode& cnode, CapSlot slot, CapType expected,
                                                      Rights needed) {
    Found found = TRY(lookup_capability(cnode, slot, expected, needed));
    return std::move(found.object);
}

lib::Result<CapSlot> insert(CNode& cnode, lib::RefPtr<object::KernelObject> object, Rights rights,
                            std::optional<CapSlot> slot) {
    if (!object || object->type() == CapType::Empty || !mnos::rights_valid(uint32_t(rights)))
        return lib::fail(Error::InvalidArgument);
    // A root has no tree links, so filling an empty slot needs only the CNode's lock.
    Guard guard(cnode.lock());
    Capability* capability = TRY(cnode.free_slot_locked(slot));
    capability->type = object->type();
    capability->rights = rights;
    capability->badge = 0;
    capability->object = std::move(object);
    capability->object->capability_added();
    return cnode.slot_of(*capability);
}

lib::Result<void> drop(CNode& cnode, CapSlot slot) {
    DeferredRelease released; // destroyed after the guards: the object dies outside the locks
    Guard tree(derivation_lock());
    Capability* capability;
    {
        Guard guard(cnode.lock());
        capability = TRY(cnode.filled_slot_locked(slot));
    }
    // Still filled: only removal empties a slot, and removal takes the derivation lock.
    clear_capability_locked(*capability, released);
    return {};
}

} // namespace kernel::cap
