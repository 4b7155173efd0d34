// RefCounted: an intrusive, atomic reference count. The count lives in the object, so handing a
// reference around never allocates, and the object decides how it is freed: when the last
// reference goes, release() calls the virtual destroy() hook exactly once (kernel objects
// delete themselves through the kernel heap; tests count destructions).
//
// A new object starts with one reference, owned by whoever created it; lib::adopt_ref() turns
// that reference into a RefPtr without counting it twice (see lib/ref_ptr.h).
#pragma once

#include <atomic>
#include <cstdint>

namespace lib {

class RefCounted {
public:
    RefCounted(const RefCounted&) = delete;
    RefCounted& operator=(const RefCounted&) = delete;

    void add_ref() { m_ref_count.fetch_add(1, std::memory_order_relaxed); }

    // Drops one reference; the last one destroys the object. acq_rel: every write made through
    // any reference happens-before destroy() runs.
    void release() {
        if (m_ref_count.fetch_sub(1, std::memory_order_acq_rel) == 1)
            destroy();
    }

    // Drops one reference unless it is the last, and says whether it did. When it returns false
    // the caller still holds the only reference (nobody else can take a new one without holding
    // one already) and may call release() later, for instance after dropping a lock that
    // destroy() must not run under.
    bool release_unless_last() {
        uint32_t count = m_ref_count.load(std::memory_order_relaxed);
        while (count > 1) {
            if (m_ref_count.compare_exchange_weak(count, count - 1, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed))
                return true;
        }
        return false;
    }

    uint32_t ref_count() const { return m_ref_count.load(std::memory_order_relaxed); }

protected:
    RefCounted() = default;
    virtual ~RefCounted() = default;
    // Runs once, when the count reaches zero. Typically `delete this`.
    virtual void destroy() = 0;

private:
    std::atomic<uint32_t> m_ref_count{1};
};

} // namespace lib
