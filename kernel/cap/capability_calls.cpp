#include "kernel/cap/capability_calls.h"

#include "kernel/cap/derivation.h"
#include "kernel/mm/memory.h"
#include "kernel/object/memory_budget.h"
#include "kernel/object/memory_frame.h"
#include "kernel/object/mmio_region.h"
#include "kernel/object/process.h"

namespace kernel::cap {

lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Delegate>, syscall::Invocation& call) {
    mnos::Rights rights = TRY(syscall::rights_argument(call.registers.arg3()));
    // WRITE on the target process: putting a capability into its CNode changes it. `target`
    // keeps the process (and so its CNode) alive for the call even if it exits meanwhile.
    auto target =
        TRY(call.object_argument<object::Process>(call.registers.arg1(), mnos::Rights::Write));
    // Nothing goes into a process that is ending: it could never use it.
    if (target->exiting.load(std::memory_order_acquire))
        return lib::fail(mnos::Error::InvalidArgument);
    auto destination = TRY(syscall::optional_slot_argument(call.registers.arg2()));
    // Narrowing only is delegate's check; GRANT on the source was decode()'s.
    mnos::CapSlot placed =
        TRY(delegate(call.cnode, call.slot, target->cnode(), destination, rights));
    return placed.index();
}

lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::DropCap>, syscall::Invocation& call) {
    TRY(drop(call.cnode, call.slot));
    return 0;
}

lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Revoke>, syscall::Invocation& call) {
    return TRY(revoke(call.cnode, call.slot));
}

lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::Inspect>, syscall::Invocation& call) {
    call.registers.rsi = uint32_t(call.target.rights);
    call.registers.rdx = call.target.badge;
    // A size to go with the type: a frame's pages, so a holder knows how much MapMemory maps
    // (the initrd's, say); the pages a budget can still give (its limit, or the free memory
    // behind it if that is less); a process's id, as the kernel's log shows it. The casts are
    // sound: each object's type tag says its class.
    call.registers.r10 = 0;
    switch (call.target.object->type()) {
    case mnos::CapType::MemoryFrame:
        call.registers.r10 =
            static_cast<const object::MemoryFrame&>(*call.target.object).page_count();
        break;
    case mnos::CapType::MemoryBudget: {
        auto& budget = static_cast<const object::MemoryBudget&>(*call.target.object);
        uint64_t left = budget.limit() - budget.used();
        uint64_t free = mm::pmm().stats().free_frames;
        call.registers.r10 = left < free ? left : free;
        break;
    }
    case mnos::CapType::MmioRegion:
        call.registers.r10 =
            static_cast<const object::MmioRegion&>(*call.target.object).page_count();
        break;
    case mnos::CapType::Process:
        call.registers.r10 = static_cast<const object::Process&>(*call.target.object).pid();
        break;
    default: break;
    }
    return uint64_t(call.target.object->type());
}

} // namespace kernel::cap
