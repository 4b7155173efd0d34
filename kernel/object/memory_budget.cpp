#include "kernel/object/memory_budget.h"


#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"
#include "kernel/object/address_space.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/notification.h"
#include "kernel/object/process.h"
#include "kernel/object/thread.h"
#include "kernel/syscall/user_memory.h"

namespace kernel::object {

using mnos::Error;

namespace {

// What an endpoint (or a notification) is charged: a page, an upper bound of the object with
// its queues.
constexpr uint64_t ENDPOINT_PAGES = 1;

// A MemoryFrame is physically contiguous (memory_frame.h), so a multi-page allocation asks the
// physical allocator for a contiguous run. That can fail under fragmentation where single
// pages would not; callers that need much memory allocate several frames instead. Every page is
// charged to `budget` and refunded as the frame's pages go back.
lib::Result<lib::RefPtr<MemoryFrame>> allocate_zeroed(MemoryBudget& budget, uint64_t pages) {
    lib::PhysAddr base;
    if (pages == 1) {
        base = TRY(budget.allocate_frame());
    } else if (&budget.source() == static_cast<mm::FrameAllocator*>(&mm::pmm())) {
        TRY(budget.charge(pages));
        auto run = mm::pmm().alloc_contiguous(pages);
        if (!run) {
            budget.refund(pages);
            return lib::fail(run.error());
        }
        base = *run;
    } else {
        return lib::fail(Error::Unsupported); // a source without contiguous runs
    }
    // Sound: the frames were just allocated (nobody else maps or uses them) and lie in RAM,
    // which the HHDM covers. Zeroed so no earlier owner's data leaks to the new one.
    __builtin_memset(mm::phys_to_ptr<void>(base), 0, pages * lib::PAGE_SIZE);
    // The object owns the pages from here on and frees them one by one through the budget,
    // which is how a contiguous run is freed (and refunded) too.
    auto frame = MemoryFrame::create(base, pages, &budget, lib::RefPtr<KernelObject>(&budget));
    if (!frame)
        for (uint64_t i = 0; i < pages; ++i)
            (void)budget.free_frame(base + i * lib::PAGE_SIZE);
    return frame;
}

// Refused before anything is created when the new capability would have nowhere to go.
lib::Result<void> check_room(cap::CNode& cnode) {
    if (cnode.used_slots() >= mnos::CNODE_SLOTS)
        return lib::fail(Error::NoSlot);
    return {};
}

} // namespace

lib::Result<lib::RefPtr<MemoryFrame>> MemoryBudget::allocate_zeroed_run(uint64_t pages) {
    return allocate_zeroed(*this, pages);
}

// (budget, page count) -> memory-frame slot
lib::Result<uint64_t> MemoryBudget::invoke(syscall::Op<mnos::Syscall::AllocMemory>,
                                           syscall::Invocation& call) {
    uint64_t pages = call.registers.arg1();
    if (pages == 0 || pages > MAX_REGION_PAGES)
        return lib::fail(Error::InvalidArgument);
    TRY(check_room(call.cnode));
    lib::RefPtr<MemoryFrame> memory = TRY(allocate_zeroed(*this, pages));
    // A failed insert drops the only reference, which returns the pages.
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(memory), mnos::Rights::All));
    return slot.index();
}

// (budget) -> endpoint slot
lib::Result<uint64_t> MemoryBudget::invoke(syscall::Op<mnos::Syscall::CreateEndpoint>,
                                           syscall::Invocation& call) {
    TRY(check_room(call.cnode));
    BudgetCharge charge = TRY(BudgetCharge::take(*this, ENDPOINT_PAGES));
    lib::RefPtr<Endpoint> endpoint = TRY(Endpoint::create(std::move(charge)));
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(endpoint), mnos::Rights::All));
    return slot.index();
}

// (budget) -> notification slot; a notification costs what an endpoint does.
lib::Result<uint64_t> MemoryBudget::invoke(syscall::Op<mnos::Syscall::CreateNotification>,
                                           syscall::Invocation& call) {
    TRY(check_room(call.cnode));
    BudgetCharge charge = TRY(BudgetCharge::take(*this, ENDPOINT_PAGES));
    lib::RefPtr<Notification> notification = TRY(Notification::create(std::move(charge)));
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(notification), mnos::Rights::All));
    return slot.index();
}

// (budget, name pointer, length) -> the slot of a new, empty process: an address space with
// nothing mapped, an empty CNode, no thread. Its creator fills it through the capability
// (MapMemory, Delegate) and starts it (SpawnThread).
lib::Result<uint64_t> MemoryBudget::invoke(syscall::Op<mnos::Syscall::CreateProcess>,
                                           syscall::Invocation& call) {
    constexpr size_t MAX_NAME = 31; // Process keeps 31 characters of a name
    uint64_t length = call.registers.arg2();
    if (length == 0 || length > MAX_NAME || !call.caller || !call.caller->process)
        return lib::fail(Error::InvalidArgument);
    char name[MAX_NAME];
    TRY(syscall::copy_from_user(*call.caller->process, name, lib::VirtAddr(call.registers.arg1()),
                                length));
    TRY(check_room(call.cnode));
    lib::RefPtr<Process> process = TRY(Process::create_user(lib::StringView(name, length), *this));
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(process), mnos::Rights::All));
    return slot.index();
}

// (budget, pages) -> the slot of a new budget of that many pages, reserved from this one
lib::Result<uint64_t> MemoryBudget::invoke(syscall::Op<mnos::Syscall::SplitBudget>,
                                           syscall::Invocation& call) {
    uint64_t pages = call.registers.arg1();
    if (pages == 0)
        return lib::fail(Error::InvalidArgument);
    TRY(check_room(call.cnode));
    lib::RefPtr<MemoryBudget> child = TRY(split(pages));
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(child), mnos::Rights::All));
    return slot.index();
}

} // namespace kernel::object
