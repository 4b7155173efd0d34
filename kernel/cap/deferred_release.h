// DeferredRelease: collects references dropped under the capability lock and releases them when
// it goes out of scope, after the lock. Declare it before the lock guard, so that it is
// destroyed after the guard:
//
//     DeferredRelease released;
//     Guard guard(capability_lock());
//     ... released.add(std::move(slot.object)); ...
//
// A reference that is not the last is dropped at once (that cannot destroy anything); only a
// last reference is parked, on a list threaded through the object itself, so this never
// allocates however many capabilities a revoke removes.
#pragma once

#include "kernel/object/kernel_object.h"
#include "lib/intrusive_list.h"
#include "lib/ref_ptr.h"

namespace kernel::cap {

class DeferredRelease {
public:
    DeferredRelease() = default;
    DeferredRelease(const DeferredRelease&) = delete;
    DeferredRelease& operator=(const DeferredRelease&) = delete;

    ~DeferredRelease() {
        while (object::KernelObject* object = m_orphans.pop_front()) {
            object->last_capability_gone();
            if (!object->release_unless_last())
                object->release();
        }
        while (object::KernelObject* object = m_last_references.pop_front())
            object->release();
    }

    // `last_capability`: the slot that held `reference` was the object's last capability, so
    // the object hears of it (last_capability_gone) once the locks are released.
    void add(lib::RefPtr<object::KernelObject>&& reference, bool last_capability = false) {
        object::KernelObject* object = reference.leak_ref();
        if (object && last_capability)
            m_orphans.push_back(*object); // on one list only: the last capability goes once
        else if (object && !object->release_unless_last())
            m_last_references.push_back(*object); // we hold its only reference: on one list only
    }

private:
    lib::IntrusiveList<object::KernelObject, &object::KernelObject::m_orphan_node> m_orphans;
    lib::IntrusiveList<object::KernelObject, &object::KernelObject::m_release_node>
        m_last_references;
};

} // namespace kernel::cap
