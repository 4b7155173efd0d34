// AddressSpace: one process's page tables. It owns its PML4 frame and every table frame it
// allocated in the lower (user) half; the upper half is shared: PML4 slots 256..511 are copied
// from the kernel's template table, whose upper-half PDPTs must all exist before the first copy
// (PageTable::preallocate_kernel_half), so later kernel mappings appear in every address space.
//
// Destruction frees the user-half tables bottom-up and then the PML4; the pages those tables
// mapped are not freed (they belong to whoever mapped them, e.g. a MemoryFrame capability).
// The caller must make sure no CPU still runs on this address space by then.
#pragma once

#include "abi/syscall.h"
#include "kernel/mm/page_table.h"

namespace kernel::mm {

// The hardware side of TLB maintenance. In the kernel: invlpg when `root` is the current CR3,
// later a shootdown to every CPU that has `root` loaded. Host tests record the calls.
class TlbInvalidator {
public:
    virtual void invalidate_page(lib::PhysAddr root, lib::VirtAddr virt) = 0;

protected:
    ~TlbInvalidator() = default;
};

class AddressSpace {
public:
    static lib::Result<AddressSpace> create(DirectMap window, FrameAllocator& frames,
                                            lib::PhysAddr kernel_template, TlbInvalidator& tlb);

    AddressSpace(AddressSpace&& other);
    AddressSpace& operator=(AddressSpace&& other);
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;
    ~AddressSpace();

    // What CR3 is loaded with.
    lib::PhysAddr root() const { return m_table.root(); }

    // Like PageTable's, restricted to the user half: BadAddress for an upper-half address (those
    // slots are shared with every other address space). unmap() and protect() invalidate the
    // TLB through the hook when needed.
    lib::Result<void> map(lib::VirtAddr virt, lib::PhysAddr phys, PageFlags flags,
                          PageSize size = PageSize::Small);
    lib::Result<Unmapped> unmap(lib::VirtAddr virt);
    lib::Result<void> protect(lib::VirtAddr virt, PageFlags flags);
    lib::Result<Translation> translate(lib::VirtAddr virt) const { return m_table.translate(virt); }

    // Frees all tables now and reports the first error (a table frame the allocator refused);
    // the destructor does the same but has nobody to tell. Afterwards the object is empty.
    lib::Result<void> release();

    static bool is_user(lib::VirtAddr virt) { return virt.value() < USER_END; }
    // The ABI's end of the user half (abi/syscall.h): one page short of the canonical boundary,
    // so nothing is ever mapped in the page whose code could SYSCALL to a non-canonical RIP.
    static constexpr uint64_t USER_END = mnos::USER_END;

private:
    AddressSpace(PageTable table, TlbInvalidator& tlb) : m_table(table), m_tlb(&tlb) {}

    PageTable m_table;
    TlbInvalidator* m_tlb;
    bool m_owned = true; // false once moved from or released
};

} // namespace kernel::mm
