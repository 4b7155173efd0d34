// CNode: a process's table of capabilities, mnos::CNODE_SLOTS slots indexed by mnos::CapSlot,
// and the operations every syscall uses on it. lookup() is the single place that turns a slot
// number from userspace into a kernel object: it checks the index, the type and the rights, in
// that order, and names the first thing that is wrong.
//
// Each CNode has its own lock (cap_lock.h); operations that also change the derivation tree
// take the derivation lock first. Every operation checks everything before changing anything:
// a failed operation leaves every CNode as it was.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "abi/capability.h"
#include "kernel/cap/capability.h"
#include "kernel/sync/spinlock.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"

namespace kernel::cap {

class CNode {
public:
    static constexpr uint32_t SIZE = mnos::CNODE_SLOTS;

    CNode();
    // Drops every capability (their derived copies elsewhere survive, reattached to the
    // dropped capabilities' parents).
    ~CNode() { clear(); }
    CNode(const CNode&) = delete;
    CNode& operator=(const CNode&) = delete;

    // Drops every capability now, as the destructor does: an ended process's capabilities go
    // with its address space, not when the last reference to the Process object does (its own
    // SELF capability is one of them, so that might be never).
    void clear();

    // What a slot holds; NoSlot for an index outside the CNode, EmptySlot for an empty slot.
    lib::Result<CapInfo> inspect(mnos::CapSlot slot) const;
    size_t used_slots() const;

    // Guards the contents of every slot of this CNode.
    IrqSpinlock& lock() const RETURN_CAPABILITY(m_lock) { return m_lock; }

    // Raw slot access with lock() held; null for an index outside the CNode.
    Capability* slot_locked(mnos::CapSlot slot) REQUIRES(m_lock) {
        return slot.in_range() ? &m_slots[slot.index()] : nullptr;
    }
    // The slot if it is in range and holds a capability: NoSlot / EmptySlot otherwise.
    lib::Result<Capability*> filled_slot_locked(mnos::CapSlot slot) REQUIRES(m_lock);
    // The slot `wanted` names (it must be in range and empty), or the first empty slot when
    // `wanted` is nullopt. NoSlot / SlotInUse. With lock() held.
    lib::Result<Capability*> free_slot_locked(std::optional<mnos::CapSlot> wanted)
        REQUIRES(m_lock);
    mnos::CapSlot slot_of(const Capability& capability) const;

private:
    mutable IrqSpinlock m_lock{LockRank::CNode};
    // Their contents under m_lock; their tree links under the derivation lock (capability.h).
    std::array<Capability, SIZE> m_slots;
};

// What a lookup found: a reference to the object (which keeps it alive for the caller even if
// the slot is dropped or revoked right after) and the capability's rights and badge.
struct Found {
    lib::RefPtr<object::KernelObject> object;
    mnos::Rights rights = mnos::Rights::None;
    uint64_t badge = 0;
};

// The capability in `slot` if it is of type `expected` (any type for nullopt) and has every
// right in `needed`. Errors, in the order checked: NoSlot, EmptySlot, WrongType, MissingRights.
lib::Result<Found> lookup_capability(CNode& cnode, mnos::CapSlot slot,
                                     std::optional<mnos::CapType> expected, mnos::Rights needed);

// The IPC fast path's lookup (kernel/ipc/fastpath.cpp), with interrupts off: runs use(capability)
// under the CNode lock if `slot` holds a capability of `type` with every right in `needed`, and
// returns what it returns; false otherwise (the general path looks again and says why). Nothing
// is copied out that the caller does not ask for: `use` takes a reference if it needs one.
template <typename Use>
bool use_capability(CNode& cnode, mnos::CapSlot slot, mnos::CapType type, mnos::Rights needed,
                    Use use) {
    Guard guard(cnode.lock(), INTERRUPTS_OFF);
    Capability* capability = cnode.slot_locked(slot);
    // An empty slot's type is Empty, never `type`.
    if (!capability || capability->type != type || !mnos::has_rights(capability->rights, needed))
        return false;
    return use(*capability);
}

// lookup_capability() for a typed object, when only the object matters.
lib::Result<lib::RefPtr<object::KernelObject>> lookup(CNode& cnode, mnos::CapSlot slot,
                                                      mnos::CapType expected,
                                                      mnos::Rights needed);

// lookup() for a concrete object class T (which names its T::CAP_TYPE).
template <typename T>
lib::Result<lib::RefPtr<T>> lookup_as(CNode& cnode, mnos::CapSlot slot, mnos::Rights needed) {
    auto object = TRY(lookup(cnode, slot, T::CAP_TYPE, needed));
    // Sound: lookup() checked the slot's type tag, and an object of type T::CAP_TYPE is a T
    // (each KernelObject subclass passes its own CAP_TYPE to the base constructor).
    return lib::static_ref_cast<T>(std::move(object));
}

// Puts a new root capability to `object` into `slot`, or into the first free slot when none is
// named. The type is the object's own. InvalidArgument for a null object or undefined rights;
// NoSlot / SlotInUse as for free_slot_locked().
lib::Result<mnos::CapSlot> insert(CNode& cnode, lib::RefPtr<object::KernelObject> object,
                                  mnos::Rights rights,
                                  std::optional<mnos::CapSlot> slot = std::nullopt);

// Empties a slot. Capabilities derived from it survive and move up to its parent (or become
// roots). The object goes when its last reference does. NoSlot / EmptySlot.
lib::Result<void> drop(CNode& cnode, mnos::CapSlot slot);

} // namespace kernel::cap
