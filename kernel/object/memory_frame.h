// MemoryFrame: `page_count` physically contiguous 4 KiB pages starting at `base`, which a holder
// may map (READ/WRITE/EXEC decide how). When the frames came from an allocator, the object owns
// them and returns them when the last reference goes; device memory or boot-time ranges have no
// owner and are merely described.
#pragma once

#include <cstddef>

#include "kernel/mm/frame_allocator.h"
#include "kernel/object/kernel_object.h"
#include "lib/address.h"

namespace kernel::object {

class MemoryFrame final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::MemoryFrame;

    // InvalidArgument for an unaligned base or no pages; Overflow when the run wraps around.
    // `owner`, if any, gets every page back through free_frame() on destruction; when the owner
    // is a kernel object (a MemoryBudget), `keep_owner` holds it alive until then.
    static lib::Result<lib::RefPtr<MemoryFrame>> create(lib::PhysAddr base, size_t page_count,
                                                        mm::FrameAllocator* owner = nullptr,
                                                        lib::RefPtr<KernelObject> keep_owner = {}) {
        if (!base.is_aligned(lib::PAGE_SIZE) || page_count == 0)
            return lib::fail(mnos::Error::InvalidArgument);
        if (page_count > (UINT64_MAX - base.value()) / lib::PAGE_SIZE)
            return lib::fail(mnos::Error::Overflow);
        return create_object<MemoryFrame>(base, page_count, owner, std::move(keep_owner));
    }

    lib::PhysAddr base() const { return m_base; }
    size_t page_count() const { return m_page_count; }
    size_t size_bytes() const { return m_page_count * lib::PAGE_SIZE; }
    // Whether the pages are RAM this frame owns (allocated), not device memory it describes:
    // only such frames may be handed to a device for DMA (PciDevice's DmaAddress).
    bool owns_pages() const { return m_owner != nullptr; }

    ~MemoryFrame() override {
        if (!m_owner)
            return;
        // A failure here means the allocator's records disagree with ours, a kernel bug the
        // allocator has no way to report from a destructor; the frame stays allocated (leaked),
        // which is the safe direction.
        for (size_t i = 0; i < m_page_count; ++i)
            (void)m_owner->free_frame(m_base + i * lib::PAGE_SIZE);
    }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    MemoryFrame(lib::PhysAddr base, size_t page_count, mm::FrameAllocator* owner,
                lib::RefPtr<KernelObject> keep_owner)
        : KernelObject(CAP_TYPE), m_base(base), m_page_count(page_count), m_owner(owner),
          m_keep_owner(std::move(keep_owner)) {}

    lib::PhysAddr m_base;
    size_t m_page_count;
    mm::FrameAllocator* m_owner;
    lib::RefPtr<KernelObject> m_keep_owner; // released after the pages went back (member order)
};

} // namespace kernel::object
