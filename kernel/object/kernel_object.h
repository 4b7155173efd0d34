// KernelObject: the base of everything a capability can refer to (seL4's objects, Zircon's
// dispatchers). It carries the object's capability type, fixed at construction, and an
// intrusive reference count: every capability slot holding the object owns one reference, and
// so does every syscall in flight that looked it up. The last reference frees the object.
//
// There is no RTTI: code that holds a KernelObject and wants the concrete class checks type()
// first and then static_casts (cap::lookup_as does exactly that, in one place).
#pragma once

#include <atomic>
#include <new>
#include <utility>

#include "abi/capability.h"
#include "lib/intrusive_list.h"
#include "lib/ref_counted.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"

namespace kernel::cap {
class DeferredRelease;
}

namespace kernel::object {

class KernelObject : public lib::RefCounted {
public:
    mnos::CapType type() const { return m_type; }

    // How many capability slots hold the object (kernel/cap keeps it, under the derivation
    // lock, or the CNode lock for a root it inserts). Unlike the reference
    // count it ignores syscalls in flight, so it says when no one can reach the object again.
    void capability_added() { m_capabilities.fetch_add(1, std::memory_order_relaxed); }
    // True when that was the last capability: DeferredRelease then calls last_capability_gone().
    bool capability_removed() {
        return m_capabilities.fetch_sub(1, std::memory_order_acq_rel) == 1;
    }
    // After the last capability went, outside every capability lock; the object may still be
    // referenced by syscalls in flight. An endpoint fails the threads still queued on it.
    virtual void last_capability_gone() {}

protected:
    explicit KernelObject(mnos::CapType type) : m_type(type) {}
    ~KernelObject() override = default;

    // Objects come from create_object(), i.e. the kernel heap (the host tests' heap on the host),
    // so the last release deletes them. A subclass that lives elsewhere overrides this.
    void destroy() override { delete this; }

private:
    // Used only while the last reference is on its way out under the capability lock; see
    // kernel/cap/deferred_release.h.
    friend class cap::DeferredRelease;
    lib::IntrusiveListNode m_release_node;
    lib::IntrusiveListNode m_orphan_node;
    std::atomic<uint32_t> m_capabilities{0};
    const mnos::CapType m_type;
};

// Allocates a T on the kernel heap and returns the creator's reference. OutOfMemory instead of
// a panic when the heap is exhausted: object creation is a syscall, and a syscall can fail.
template <typename T, typename... Args> lib::Result<lib::RefPtr<T>> create_object(Args&&... args) {
    T* object = new (std::nothrow) T(std::forward<Args>(args)...);
    if (!object)
        return lib::fail(mnos::Error::OutOfMemory);
    return lib::adopt_ref(object);
}

} // namespace kernel::object
