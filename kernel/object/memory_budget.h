// MemoryBudget: the authority to create objects from physical memory. Holding its capability
// (with WRITE) is what lets a process ask for fresh MemoryFrames, endpoints and processes;
// everyone else gets memory only from someone who holds it. Today every budget draws on the
// kernel's physical allocator without a limit; the lifecycle work gives each budget a limit
// and charges what is created from it.
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_frame.h"
#include "kernel/syscall/invocation.h"

namespace kernel::object {

class MemoryBudget final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::MemoryBudget;

    static lib::Result<lib::RefPtr<MemoryBudget>> create(mm::FrameAllocator& allocator) {
        return create_object<MemoryBudget>(allocator);
    }

    // ---- the invocations (abi/syscall.h); memory_budget.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::AllocMemory>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::CreateEndpoint>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::SpawnProcess>, syscall::Invocation&);

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
    explicit MemoryBudget(mm::FrameAllocator& allocator)
        : KernelObject(CAP_TYPE), m_allocator(allocator) {}

    mm::FrameAllocator& m_allocator;
};

} // namespace kernel::object
