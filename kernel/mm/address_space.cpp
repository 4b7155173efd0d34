// Per-process page tables with a shared kernel half; see address_space.h.
#include "kernel/mm/address_space.h"

#include <utility>

namespace kernel::mm {

using lib::Error;

lib::Result<AddressSpace> AddressSpace::create(DirectMap window, FrameAllocator& frames,
                                               lib::PhysAddr kernel_template, TlbInvalidator& tlb) {
    PageTable table = TRY(PageTable::create(window, frames));
    // Sound: both are page-table frames reached through the DirectMap (see PageTable::table).
    const uint64_t* source = window.ptr<const uint64_t>(kernel_template);
    uint64_t* target = window.ptr<uint64_t>(table.root());
    for (size_t slot = PageTable::KERNEL_HALF_FIRST; slot < PageTable::ENTRIES; ++slot)
        target[slot] = source[slot];
    return AddressSpace(table, tlb);
}

AddressSpace::AddressSpace(AddressSpace&& other)
    : m_table(other.m_table), m_tlb(other.m_tlb), m_owned(std::exchange(other.m_owned, false)) {}

AddressSpace& AddressSpace::operator=(AddressSpace&& other) {
    if (this != &other) {
        (void)release(); // the old tables; errors here have nobody else to go to either
        m_table = other.m_table;
        m_tlb = other.m_tlb;
        m_owned = std::exchange(other.m_owned, false);
    }
    return *this;
}

AddressSpace::~AddressSpace() {
    // An error means the allocator refused a table frame as not allocated: memory corruption it
    // has already declined to act on. There is no caller to report it to; release() reports.
    (void)release();
}

lib::Result<void> AddressSpace::release() {
    if (!std::exchange(m_owned, false))
        return {};
    // Only the user half: the upper-half slots point at the kernel's shared tables.
    auto tables = m_table.free_tables(0, PageTable::KERNEL_HALF_FIRST);
    auto root = m_table.frames().free_frame(m_table.root());
    if (!tables)
        return tables;
    return root;
}

lib::Result<void> AddressSpace::map(lib::VirtAddr virt, lib::PhysAddr phys, PageFlags flags,
                                    PageSize size) {
    if (!m_owned)
        return lib::fail(Error::InvalidArgument);
    if (!is_user(virt) || page_bytes(size) > USER_END - virt.value())
        return lib::fail(Error::BadAddress);
    return m_table.map(virt, phys, flags, size);
}

lib::Result<Unmapped> AddressSpace::unmap(lib::VirtAddr virt) {
    if (!m_owned)
        return lib::fail(Error::InvalidArgument);
    if (!is_user(virt))
        return lib::fail(Error::BadAddress);
    Unmapped old = TRY(m_table.unmap(virt));
    if (old.flush_needed)
        m_tlb->invalidate_page(root(), virt);
    return old;
}

lib::Result<void> AddressSpace::protect(lib::VirtAddr virt, PageFlags flags) {
    if (!m_owned)
        return lib::fail(Error::InvalidArgument);
    if (!is_user(virt))
        return lib::fail(Error::BadAddress);
    if (TRY(m_table.protect(virt, flags)))
        m_tlb->invalidate_page(root(), virt);
    return {};
}

} // namespace kernel::mm
