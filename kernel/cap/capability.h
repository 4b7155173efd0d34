// Capability: what one CNode slot holds. A reference to a kernel object, the object's type (kept
// here too, so a lookup never touches the object to check it), the rights this particular
// capability grants, and its place in the derivation tree.
//
// The derivation tree (seL4's mapping database, simplified): a capability made by copying
// another (delegate, IPC transfer) is that one's child. Revoking a capability removes its whole
// subtree, whichever CNodes the descendants live in. Capabilities that the kernel inserts
// directly are roots. Everything here is guarded by the capability lock (cap_lock.h).
#pragma once

#include "abi/capability.h"
#include "kernel/object/kernel_object.h"
#include "lib/intrusive_list.h"
#include "lib/ref_ptr.h"

namespace kernel::cap {

struct Capability {
    Capability() = default;
    // Slots are linked to each other by address; a capability never moves.
    Capability(const Capability&) = delete;
    Capability& operator=(const Capability&) = delete;

    bool is_empty() const { return type == mnos::CapType::Empty; }

    lib::RefPtr<object::KernelObject> object; // null exactly when the slot is empty
    mnos::CapType type = mnos::CapType::Empty;
    mnos::Rights rights = mnos::Rights::None;

    Capability* parent = nullptr;         // the capability this one was copied from, if any
    lib::IntrusiveListNode sibling_node;  // links this capability into parent->children
    lib::IntrusiveList<Capability, &Capability::sibling_node> children;
};

// What a slot holds, as reported to userspace and tests (no object reference).
struct CapInfo {
    mnos::CapType type;
    mnos::Rights rights;
};

} // namespace kernel::cap
