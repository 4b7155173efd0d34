// Growing the kernel heap with freshly mapped frames; see page_heap_grower.h.
#include "kernel/mm/page_heap_grower.h"

namespace kernel::mm {

lib::Result<void> PageHeapGrower::grow(lib::VirtAddr end, size_t bytes) {
    if (!end.is_aligned(lib::PAGE_SIZE) || bytes % lib::PAGE_SIZE)
        return lib::fail(lib::Error::InvalidArgument);
    for (size_t done = 0; done < bytes; done += lib::PAGE_SIZE) {
        auto frame = m_frames.allocate_frame();
        if (!frame) {
            roll_back(end, done);
            return lib::fail(frame.error());
        }
        auto mapped = m_table.map(end + done, *frame, PageFlags::Writable | PageFlags::Global);
        if (!mapped) {
            (void)m_frames.free_frame(*frame); // just allocated: cannot be refused
            roll_back(end, done);
            return mapped;
        }
    }
    return {};
}

void PageHeapGrower::roll_back(lib::VirtAddr start, size_t mapped_bytes) {
    for (size_t done = 0; done < mapped_bytes; done += lib::PAGE_SIZE) {
        auto old = m_table.unmap(start + done);
        if (!old)
            continue; // we mapped it a moment ago; nothing else can have removed it
        if (old->flush_needed)
            m_tlb.invalidate_page(m_table.root(), start + done);
        (void)m_frames.free_frame(old->phys);
    }
}

} // namespace kernel::mm
