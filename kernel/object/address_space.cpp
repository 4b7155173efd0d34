// map_frame and unmap_pages: the only code that changes a process's user half after it was
// loaded. Both hold the process's regions lock over the page-table changes, so two threads
// mapping at once cannot both see a hole free, and pin the process so its tables are not
// released under them.
#include "kernel/object/address_space.h"

#include <new>

#include "kernel/arch/x86_64/tlb.h"
#include "kernel/object/address_space_pin.h"
#include "kernel/object/process.h"
#include "kernel/syscall/user_memory.h"

namespace kernel::object {

using mnos::Error;

namespace {

// Unmaps [virt, virt + pages) of `space`, whose pages the caller has checked are mapped.
void unmap_range_locked(mm::AddressSpace& space, lib::VirtAddr virt, uint64_t pages) {
    for (uint64_t i = 0; i < pages; ++i)
        (void)space.unmap(virt + i * lib::PAGE_SIZE); // cannot fail: the page is mapped
}

} // namespace

lib::Result<void> map_frame(Process& process, lib::RefPtr<MemoryFrame> frame, lib::VirtAddr base,
                            mm::PageFlags flags) {
    uint64_t virt = base.value();
    uint64_t pages = frame->page_count();
    if (virt % lib::PAGE_SIZE != 0)
        return lib::fail(Error::InvalidArgument);
    TRY(syscall::check_user_range(virt, pages * lib::PAGE_SIZE));

    AddressSpacePin pin(process);
    // Ended (its user half is gone) or ending, or a kernel process without one.
    if (!pin.pinned() || process.exiting.load(std::memory_order_acquire))
        return lib::fail(Error::InvalidArgument);

    // Allocated before the lock so the only failure left under it is a page-table frame.
    auto* region = new (std::nothrow) Region;
    if (!region)
        return lib::fail(Error::OutOfMemory);
    region->base = base;
    region->pages = pages;
    region->still_mapped = pages;
    region->frame = frame;

    Regions& regions = process.regions();
    uint64_t mapped = 0;
    Error error = Error::Exists;
    lib::PhysAddr root;
    {
        Guard guard(regions.lock());
        mm::AddressSpace& space = *process.address_space(); // pinned above
        root = space.root();
        bool free = true;
        for (uint64_t i = 0; i < pages && free; ++i)
            free = !space.translate(base + i * lib::PAGE_SIZE);
        if (free) {
            for (; mapped < pages; ++mapped) {
                auto result = space.map(base + mapped * lib::PAGE_SIZE,
                                        frame->base() + mapped * lib::PAGE_SIZE, flags);
                if (!result) {
                    error = result.error();
                    break;
                }
            }
            if (mapped == pages) {
                regions.add_locked(*region);
                return {};
            }
            // A page table could not be allocated: take back what was mapped, so the call
            // leaves nothing behind.
            unmap_range_locked(space, base, mapped);
        }
    }
    // Another thread of the target may have touched the pages mapped before the failure; flush
    // them before the record (and with it possibly the last reference to the frame) goes.
    if (mapped)
        x86_64::tlb::shootdown(root, base, mapped);
    delete region;
    return lib::fail(error);
}

lib::Result<void> unmap_pages(Process& process, lib::VirtAddr base, uint64_t pages) {
    uint64_t virt = base.value();
    if (pages == 0 || pages > MAX_REGION_PAGES || virt % lib::PAGE_SIZE != 0)
        return lib::fail(Error::InvalidArgument);
    TRY(syscall::check_user_range(virt, pages * lib::PAGE_SIZE));

    AddressSpacePin pin(process);
    if (!pin.pinned())
        return lib::fail(Error::InvalidArgument);
    Regions& regions = process.regions();
    // Records whose last page goes; freed after the shootdown, never before: until every CPU
    // has dropped the translation, the frame must not go back to the allocator.
    Regions::List finished;
    lib::PhysAddr root;
    {
        Guard guard(regions.lock());
        mm::AddressSpace& space = *process.address_space(); // pinned above
        root = space.root();
        // Every page must be one map_frame mapped, or nothing changes (NotFound).
        for (uint64_t i = 0; i < pages; ++i) {
            lib::VirtAddr page = base + i * lib::PAGE_SIZE;
            auto translation = space.translate(page);
            if (!translation || !regions.find_locked(page, translation->phys))
                return lib::fail(Error::NotFound);
        }
        for (uint64_t i = 0; i < pages; ++i) {
            lib::VirtAddr page = base + i * lib::PAGE_SIZE;
            Region* region = regions.find_locked(page, space.translate(page)->phys);
            (void)space.unmap(page); // mapped: checked above under the same lock
            if (--region->still_mapped == 0) {
                regions.remove_locked(*region);
                finished.push_back(*region);
            }
        }
    }
    x86_64::tlb::shootdown(root, base, pages);
    Regions::free_all(finished);
    return {};
}

} // namespace kernel::object
