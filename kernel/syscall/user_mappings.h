// UserMappings: the record of what MapMemory put into one process's address space, so that the
// physical pages stay alive for exactly as long as they are mapped.
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

namespace kernel::syscall {

struct UserMapping {
    lib::IntrusiveListNode node;
    lib::VirtAddr base;                      // where page 0 of the frame was mapped
    size_t pages = 0;                        // the frame's page count
    size_t still_mapped = 0;                 // pages of [base, base + pages) not yet unmapped
    lib::RefPtr<object::MemoryFrame> frame;  // keeps the physical pages allocated

    bool covers(lib::VirtAddr page) const {
        return page >= base && (page - base) / lib::PAGE_SIZE < pages;
    }
    // The physical page this mapping put at `page` (which it covers).
    lib::PhysAddr phys_at(lib::VirtAddr page) const { return frame->base() + (page - base); }
};

class UserMappings {
public:
    UserMappings() = default;
    UserMappings(const UserMappings&) = delete;
    UserMappings& operator=(const UserMappings&) = delete;
    // Releases every record's frame. The owning Process declares this member before its address
    // space, so the page tables are gone (and no CPU runs on them) before any frame is freed.
    ~UserMappings() { free_all(m_mappings); }

    // Guards the records and, by convention, the syscalls' changes to the user half of the
    // owning process's page tables (so two threads mapping at once cannot both see a hole free)
    // and the address space's teardown (so a MapMemory from another process never works on
    // page tables being freed).
    // A plain spinlock, not an IrqSpinlock: the page-table code may allocate, and nothing here
    // runs in interrupt context.
    Spinlock& lock() { return m_lock; }

    using List = lib::IntrusiveList<UserMapping, &UserMapping::node>;

    void add_locked(UserMapping& mapping) { m_mappings.push_back(mapping); }
    // Moves every record to `out`, for the process's teardown: the caller deletes them (freeing
    // the frames) after the lock and after the address space is gone.
    void take_all_locked(List& out) {
        while (UserMapping* mapping = m_mappings.pop_front())
            out.push_back(*mapping);
    }
    // Deletes the records of a list filled by take_all_locked or by an unmap.
    static void free_all(List& list) {
        while (UserMapping* mapping = list.pop_front())
            delete mapping;
    }
    void remove_locked(UserMapping& mapping) { m_mappings.remove(mapping); }

    // The record whose mapping put physical page `phys` at `page`, or null. At most one can:
    // a frame is mapped whole, so a second mapping of the same frame at the same base would have
    // overlapped the first one's still-mapped pages and been refused with Exists.
    UserMapping* find_locked(lib::VirtAddr page, lib::PhysAddr phys) {
        for (UserMapping& mapping : m_mappings)
            if (mapping.covers(page) && mapping.phys_at(page) == phys)
                return &mapping;
        return nullptr;
    }

private:
    Spinlock m_lock;
    List m_mappings;
};

} // namespace kernel::syscall
