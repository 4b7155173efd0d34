// Capability: what one CNode slot holds. A reference to a kernel object, the object's type (kept
// here too, so a lookup never touches the object to check it), the rights this particular
// capability grants, and its place in the derivation tree.
//
// The derivation tree (seL4's mapping database, simplified): a capability made by copying
// another (delegate, mint, IPC transfer) is that one's child. Revoking a capability removes its
// whole subtree, whichever CNodes the descendants live in. Capabilities that the kernel inserts
// directly are roots.
//
// Locking (cap_lock.h): what the slot holds (object, type, rights, badge) is guarded by its
// CNode's lock; the tree links (parent, sibling_node, children) by the derivation lock.
#pragma once

#include "abi/capability.h"
#include "kernel/object/kernel_object.h"
#include "lib/intrusive_list.h"
#include "lib/ref_ptr.h"

namespace kernel::cap {

class CNode;

struct Capability {
    Capability() = default;
    // Slots are linked to each other by address; a capability never moves.
    Capability(const Capability&) = delete;
    Capability& operator=(const Capability&) = delete;

    bool is_empty() const { return type == mnos::CapType::Empty; }

    lib::RefPtr<object::KernelObject> object; // null exactly when the slot is empty
    mnos::CapType type = mnos::CapType::Empty;
    mnos::Rights rights = mnos::Rights::None;
    // Set by Mint on an endpoint capability and kept by every copy: what a receiver sees of the
    // sender (abi/ipc.h). 0 means unbadged.
    uint64_t badge = 0;
    CNode* owner = nullptr; // the CNode this slot belongs to, set once when the CNode is built

    Capability* parent = nullptr;         // the capability this one was copied from, if any
    lib::IntrusiveListNode sibling_node;  // links this capability into parent->children
    lib::IntrusiveList<Capability, &Capability::sibling_node> children;
};

// What a slot holds, as reported to userspace and tests (no object reference).
struct CapInfo {
    mnos::CapType type;
    mnos::Rights rights;
    uint64_t badge = 0;
};

} // namespace kernel::cap
