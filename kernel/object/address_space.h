// A process's user half: the regions MapMemory put into it (Region, Regions), and the map and
// unmap algorithm with its TLB shoot-down (map_frame, unmap_pages in address_space.cpp).
//
// Regions are the record of what MapMemory mapped, so that the physical pages stay alive for
// exactly as long as they are mapped.
//
// A MemoryFrame's pages go back to the allocator when its last reference goes. A capability
// alone cannot keep mapped pages alive: its holder may drop it, delegate it away, or lose it to a
// revoke while the pages are still mapped, and the next owner of the freed frames would then be
// readable and writable through the stale mapping. So every successful MapMemory records the
// frame here with a reference of its own, and that reference goes only when the last page of the
// mapping has been unmapped (and the TLBs flushed) or when the process itself is destroyed,
// after its address space. Capabilities and mappings are thus independent: dropping a frame's
// capability never unmaps anything.
//
// Only pages that MapMemory mapped are recorded; UnmapMemory refuses any other page (the program
// image and the stack the ELF loader mapped belong to the process's own bookkeeping).
#pragma once

#include <cstddef>

#include "kernel/object/memory_frame.h"
#include "kernel/sync/spinlock.h"
#include "lib/address.h"
#include "lib/intrusive_list.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "kernel/mm/page_table.h"

namespace kernel::object {

class Process;

struct Region {
    lib::IntrusiveListNode node;
    lib::VirtAddr base;                      // where page 0 of the frame was mapped
    size_t pages = 0;                        // the frame's page count
    size_t still_mapped = 0;                 // pages of [base, base + pages) not yet unmapped
    lib::RefPtr<MemoryFrame> frame;  // keeps the physical pages allocated

    bool covers(lib::VirtAddr page) const {
        return page >= base && (page - base) / lib::PAGE_SIZE < pages;
    }
    // The physical page this mapping put at `page` (which it covers).
    lib::PhysAddr phys_at(lib::VirtAddr page) const { return frame->base() + (page - base); }
};

class Regions {
public:
    Regions() = default;
    Regions(const Regions&) = delete;
    Regions& operator=(const Regions&) = delete;
    // Releases every record's frame. The owning Process declares this member before its address
    // space, so the page tables are gone (and no CPU runs on them) before any frame is freed.
    ~Regions() { free_all(m_mappings); }

    // Guards the records and, by convention, the syscalls' changes to the user half of the
    // owning process's page tables (so two threads mapping at once cannot both see a hole free)
    // and the address space's teardown (so a MapMemory from another process never works on
    // page tables being freed).
    // A plain spinlock, not an IrqSpinlock: the page-table code may allocate, and nothing here
    // runs in interrupt context.
    Spinlock& lock() RETURN_CAPABILITY(m_lock) { return m_lock; }

    using List = lib::IntrusiveList<Region, &Region::node>;

    void add_locked(Region& mapping) REQUIRES(m_lock) { m_mappings.push_back(mapping); }
    // Moves every record to `out`, for the process's teardown: the caller deletes them (freeing
    // the frames) after the lock and after the address space is gone.
    void take_all_locked(List& out) REQUIRES(m_lock) {
        while (Region* mapping = m_mappings.pop_front())
            out.push_back(*mapping);
    }
    // Deletes the records of a list filled by take_all_locked or by an unmap.
    static void free_all(List& list) {
        while (Region* mapping = list.pop_front())
            delete mapping;
    }
    void remove_locked(Region& mapping) REQUIRES(m_lock) { m_mappings.remove(mapping); }

    // The record whose mapping put physical page `phys` at `page`, or null. At most one can:
    // a frame is mapped whole, so a second mapping of the same frame at the same base would have
    // overlapped the first one's still-mapped pages and been refused with Exists.
    Region* find_locked(lib::VirtAddr page, lib::PhysAddr phys) REQUIRES(m_lock) {
        for (Region& mapping : m_mappings)
            if (mapping.covers(page) && mapping.phys_at(page) == phys)
                return &mapping;
        return nullptr;
    }

private:
    Spinlock m_lock{LockRank::UserMappings};
    List m_mappings GUARDED_BY(m_lock);
};

// The most pages one MapMemory frame or UnmapMemory range may cover: 256 MiB.
inline constexpr uint64_t MAX_REGION_PAGES = 65536;

// Maps all of `frame` at `base` in `process`'s user half with `flags`, recording the region:
// all or nothing. BadAddress outside the user half, InvalidArgument for an unaligned base or a
// process without a user half (never had one, or has ended), Exists if a page is taken,
// OutOfMemory for page tables (the pages mapped so far are unmapped and flushed first).
lib::Result<void> map_frame(Process& process, lib::RefPtr<MemoryFrame> frame, lib::VirtAddr base,
                            mm::PageFlags flags);

// Unmaps [base, base + pages) of what map_frame mapped, flushes every CPU's TLB, then lets go of
// the regions whose last page went. NotFound if any page of the range is not such a page.
lib::Result<void> unmap_pages(Process& process, lib::VirtAddr base, uint64_t pages);

} // namespace kernel::object
