// PageHeapGrower: the kernel heap's HeapGrower. It backs each new page of the heap's range with
// a fresh frame and maps it writable, non-executable and global in the kernel's page tables.
// If any frame or table allocation fails it unmaps and frees what this call already mapped, so
// the heap sees all or nothing.
//
// Locking: the heap calls grow() under its own lock. The kernel page tables must be protected
// by whatever lock guards kernel mappings; take it here (lock order heap -> kernel mappings ->
// PMM), or run single-threaded during boot.
#pragma once

#include "kernel/mm/address_space.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/page_table.h"

namespace kernel::mm {

class PageHeapGrower final : public HeapGrower {
public:
    PageHeapGrower(PageTable& kernel_table, FrameAllocator& frames, TlbInvalidator& tlb)
        : m_table(kernel_table), m_frames(frames), m_tlb(tlb) {}

    lib::Result<void> grow(lib::VirtAddr end, size_t bytes) override;

private:
    void roll_back(lib::VirtAddr start, size_t mapped_bytes);

    PageTable& m_table;
    FrameAllocator& m_frames;
    TlbInvalidator& m_tlb;
};

} // namespace kernel::mm
