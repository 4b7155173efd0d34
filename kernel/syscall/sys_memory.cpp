// AllocMemory, MapMemory and UnmapMemory: fresh physical memory as MemoryFrame capabilities, and
// mapping those frames into a process's user half. Mapped frames are kept alive by the target
// process's UserMappings records (user_mappings.h), not by the capability.
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"
#include "kernel/object/memory_frame.h"
#include "kernel/object/pmm_allocator_object.h"
#include "kernel/syscall/address_space_pin.h"
#include "kernel/syscall/arguments.h"
#include "kernel/syscall/handlers.h"
#include "kernel/syscall/user_mappings.h"

namespace kernel::syscall {

namespace {

using mnos::Error;
using mnos::Rights;

// The most pages one AllocMemory or UnmapMemory may name: 256 MiB. Larger requests are
// InvalidArgument outright rather than a search through the allocator for a run that cannot
// exist on the machines this kernel targets; smaller ones that do not fit are OutOfMemory.
constexpr uint64_t MAX_PAGES = 65536;

// A MemoryFrame is physically contiguous (object/memory_frame.h), so a multi-page allocation
// asks the physical allocator for a contiguous run. That can fail under fragmentation where
// single pages would not; callers that need much memory allocate several frames instead.
lib::Result<lib::RefPtr<object::MemoryFrame>> allocate_zeroed(object::PmmAllocatorObject& pmm,
                                                              uint64_t pages) {
    mm::FrameAllocator& allocator = pmm.allocator();
    lib::PhysAddr base;
    if (pages == 1) {
        base = TRY(allocator.allocate_frame());
    } else if (&allocator == static_cast<mm::FrameAllocator*>(&mm::pmm())) {
        base = TRY(mm::pmm().alloc_contiguous(pages));
    } else {
        return lib::fail(Error::Unsupported); // an allocator without contiguous runs
    }
    // Sound: the frames were just allocated (nobody else maps or uses them) and lie in RAM,
    // which the HHDM covers. Zeroed so no earlier owner's data leaks to the new one.
    __builtin_memset(mm::phys_to_ptr<void>(base), 0, pages * lib::PAGE_SIZE);
    // The object owns the pages from here on and frees them one by one through the allocator,
    // which is how a contiguous run is freed too.
    auto frame = object::MemoryFrame::create(base, pages, &allocator);
    if (!frame)
        for (uint64_t i = 0; i < pages; ++i)
            (void)allocator.free_frame(base + i * lib::PAGE_SIZE);
    return frame;
}

// (pmm slot, page count) -> memory-frame slot
lib::Result<uint64_t> alloc_memory(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    // WRITE: allocating changes the allocator's state.
    auto pmm = TRY(cap::lookup_as<object::PmmAllocatorObject>(*cnode, slot_arg(frame.arg0()),
                                                              Rights::Write));
    uint64_t pages = frame.arg1();
    if (pages == 0 || pages > MAX_PAGES)
        return lib::fail(Error::InvalidArgument);
    if (cnode->used_slots() >= mnos::CNODE_SLOTS) // cheap early answer; insert() decides
        return lib::fail(Error::NoSlot);
    lib::RefPtr<object::MemoryFrame> memory = TRY(allocate_zeroed(*pmm, pages));
    // A failed insert drops the only reference, which returns the pages.
    mnos::CapSlot slot = TRY(cap::insert(*cnode, std::move(memory), Rights::All));
    return slot.index();
}

// [virt, virt + pages pages) must be page-aligned and inside the user half.
lib::Result<void> check_user_range(uint64_t virt, uint64_t pages) {
    if (virt % lib::PAGE_SIZE != 0)
        return lib::fail(Error::InvalidArgument);
    if (virt < mnos::USER_MIN || virt >= mnos::USER_END ||
        pages > (mnos::USER_END - virt) / lib::PAGE_SIZE)
        return lib::fail(Error::BadAddress);
    return {};
}

// The process a MapMemory/UnmapMemory acts on, with WRITE (it changes that process's memory).
lib::Result<lib::RefPtr<sched::Process>> target_process(cap::CNode& cnode, uint64_t slot) {
    return cap::lookup_as<sched::Process>(cnode, slot_arg(slot), Rights::Write);
}

// Unmaps [virt, virt + pages) of `space`, whose pages the caller has checked are mapped.
void unmap_range_locked(mm::AddressSpace& space, lib::VirtAddr virt, uint64_t pages) {
    for (uint64_t i = 0; i < pages; ++i)
        (void)space.unmap(virt + i * lib::PAGE_SIZE); // cannot fail: the page is mapped
}

// (process slot, memory-frame slot, virtual address, flags) -> 0
lib::Result<uint64_t> map_memory(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    uint64_t flags = frame.arg3();
    if (flags & ~(mnos::MAP_WRITE | mnos::MAP_EXEC))
        return lib::fail(Error::InvalidArgument);
    // W^X holds in Ring 3 as in the kernel: no page is ever both writable and executable.
    if ((flags & mnos::MAP_WRITE) && (flags & mnos::MAP_EXEC))
        return lib::fail(Error::InvalidArgument);

    lib::RefPtr<sched::Process> process = TRY(target_process(*cnode, frame.arg0()));
    Rights needed = Rights::Read;
    mm::PageFlags page_flags = mm::PageFlags::User;
    if (flags & mnos::MAP_WRITE) {
        needed |= Rights::Write;
        page_flags = page_flags | mm::PageFlags::Writable;
    }
    if (flags & mnos::MAP_EXEC) {
        needed |= Rights::Exec;
        page_flags = page_flags | mm::PageFlags::Executable;
    }
    auto memory = TRY(cap::lookup_as<object::MemoryFrame>(*cnode, slot_arg(frame.arg1()), needed));
    uint64_t virt = frame.arg2();
    uint64_t pages = memory->page_count();
    TRY(check_user_range(virt, pages));

    AddressSpacePin pin(*process);
    if (!pin.pinned()) // ended (its user half is gone), or a kernel process without one
        return lib::fail(Error::InvalidArgument);

    // Allocated before the lock so the only failure left under it is a page-table frame.
    auto* mapping = new (std::nothrow) UserMapping;
    if (!mapping)
        return lib::fail(Error::OutOfMemory);
    mapping->base = lib::VirtAddr(virt);
    mapping->pages = pages;
    mapping->still_mapped = pages;
    mapping->frame = memory;

    UserMappings& records = process->user_mappings();
    uint64_t mapped = 0;
    Error error = Error::Exists;
    lib::PhysAddr root;
    {
        Guard guard(records.lock());
        mm::AddressSpace& space = *process->address_space(); // pinned above
        root = space.root();
        bool free = true;
        for (uint64_t i = 0; i < pages && free; ++i)
            free = !space.translate(lib::VirtAddr(virt + i * lib::PAGE_SIZE));
        if (free) {
            for (; mapped < pages; ++mapped) {
                auto result = space.map(lib::VirtAddr(virt + mapped * lib::PAGE_SIZE),
                                        memory->base() + mapped * lib::PAGE_SIZE, page_flags);
                if (!result) {
                    error = result.error();
                    break;
                }
            }
            if (mapped == pages) {
                records.add_locked(*mapping);
                return 0;
            }
            // A page table could not be allocated: take back what was mapped, so the call
            // leaves nothing behind.
            unmap_range_locked(space, lib::VirtAddr(virt), mapped);
        }
    }
    // Another thread of the target may have touched the pages mapped before the failure; flush
    // them before the record (and with it possibly the last reference to the frame) goes.
    if (mapped)
        x86_64::tlb::shootdown(root, lib::VirtAddr(virt), mapped);
    delete mapping;
    return lib::fail(error);
}

// (process slot, virtual address, page count) -> 0
lib::Result<uint64_t> unmap_memory(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    lib::RefPtr<sched::Process> process = TRY(target_process(*cnode, frame.arg0()));
    uint64_t virt = frame.arg1();
    uint64_t pages = frame.arg2();
    if (pages == 0 || pages > MAX_PAGES)
        return lib::fail(Error::InvalidArgument);
    TRY(check_user_range(virt, pages));

    AddressSpacePin pin(*process);
    if (!pin.pinned())
        return lib::fail(Error::InvalidArgument);
    UserMappings& records = process->user_mappings();
    // Records whose last page goes; freed after the shootdown, never before: until every CPU
    // has dropped the translation, the frame must not go back to the allocator.
    UserMappings::List finished;
    lib::PhysAddr root;
    {
        Guard guard(records.lock());
        mm::AddressSpace& space = *process->address_space(); // pinned above
        root = space.root();
        // Every page must be one MapMemory mapped, or nothing changes (NotFound).
        for (uint64_t i = 0; i < pages; ++i) {
            lib::VirtAddr page(virt + i * lib::PAGE_SIZE);
            auto translation = space.translate(page);
            if (!translation || !records.find_locked(page, translation->phys))
                return lib::fail(Error::NotFound);
        }
        for (uint64_t i = 0; i < pages; ++i) {
            lib::VirtAddr page(virt + i * lib::PAGE_SIZE);
            UserMapping* mapping = records.find_locked(page, space.translate(page)->phys);
            (void)space.unmap(page); // mapped: checked above under the same lock
            if (--mapping->still_mapped == 0) {
                records.remove_locked(*mapping);
                finished.push_back(*mapping);
            }
        }
    }
    x86_64::tlb::shootdown(root, lib::VirtAddr(virt), pages);
    UserMappings::free_all(finished);
    return 0;
}

} // namespace

int64_t sys_alloc_memory(sched::Thread& self, SyscallFrame& frame) {
    return to_rax(alloc_memory(self, frame));
}
int64_t sys_map_memory(sched::Thread& self, SyscallFrame& frame) {
    return to_rax(map_memory(self, frame));
}
int64_t sys_unmap_memory(sched::Thread& self, SyscallFrame& frame) {
    return to_rax(unmap_memory(self, frame));
}

} // namespace kernel::syscall
