// PmmAllocatorObject: the authority to take frames from the physical memory manager. Holding
// its capability (with WRITE) is what lets a process ask for fresh MemoryFrames; everyone else
// gets memory only from someone who holds it.
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_frame.h"

namespace kernel::object {

class PmmAllocatorObject final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::PmmAllocator;

    static lib::Result<lib::RefPtr<PmmAllocatorObject>> create(mm::FrameAllocator& allocator) {
        return create_object<PmmAllocatorObject>(allocator);
    }

    // One fresh frame, owned by the returned MemoryFrame (freed when its last reference goes).
    lib::Result<lib::RefPtr<MemoryFrame>> allocate_frame() {
        lib::PhysAddr frame = TRY(m_allocator.allocate_frame());
        auto object = MemoryFrame::create(frame, 1, &m_allocator);
        if (!object)
            (void)m_allocator.free_frame(frame); // no object owns it: give it straight back
        return object;
    }

    mm::FrameAllocator& allocator() const { return m_allocator; }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    explicit PmmAllocatorObject(mm::FrameAllocator& allocator)
        : KernelObject(CAP_TYPE), m_allocator(allocator) {}

    mm::FrameAllocator& m_allocator;
};

} // namespace kernel::object
