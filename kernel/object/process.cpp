#include "kernel/object/process.h"

#include <atomic>

#include "kernel/arch/x86_64/tlb.h"
#include "kernel/debug/log.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"
#include "kernel/object/device_control.h"
#include "kernel/object/address_space_pin.h"
#include "kernel/object/memory_frame.h"
#include "kernel/object/mmio_region.h"
#include "kernel/object/teardown.h"
#include "kernel/object/thread.h"
#include "kernel/sched/user_process.h"
#include "kernel/syscall/user_memory.h"

namespace kernel::object {

namespace {
// Process ids are never reused, so a stale id in a log or a test can never name a new process.
std::atomic<uint64_t> g_next_pid{1};
} // namespace

lib::Result<lib::RefPtr<Process>> Process::create() {
    return create_object<Process>(g_next_pid.fetch_add(1, std::memory_order_relaxed));
}

namespace {

// User address spaces lose mappings on every CPU that may have them loaded.
class UserTlb final : public mm::TlbInvalidator {
public:
    void invalidate_page(lib::PhysAddr root, lib::VirtAddr virt) override {
        x86_64::tlb::shootdown(root, virt, 1);
    }
};
constinit UserTlb g_user_tlb;

} // namespace

lib::Result<lib::RefPtr<Process>> Process::create_user(lib::StringView name,
                                                       MemoryBudget& budget) {
    BudgetCharge charge = TRY(BudgetCharge::take(budget, PROCESS_PAGES));
    auto process = TRY(create());
    process->m_charge = std::move(charge);
    // Page tables come from the budget too: the address space draws its frames through it.
    auto space = TRY(mm::AddressSpace::create(mm::HHDM, budget, mm::kernel_page_table_root(),
                                              g_user_tlb));
    process->m_address_space.emplace(std::move(space));
    process->live_threads.store(1, std::memory_order_relaxed); // the creation hold
    process->m_creation_hold.store(true, std::memory_order_release);
    size_t n = name.length() < sizeof process->m_name - 1 ? name.length() : sizeof process->m_name - 1;
    for (size_t i = 0; i < n; ++i)
        process->m_name[i] = name[i];
    return process;
}

void Process::release_address_space() {
    struct Steps {
        Process& p;
        Regions::List mapped;
        void release_page_tables() {
            // Under the regions lock, so a MapMemory/UnmapMemory from another process holding
            // a capability to this one never works on tables being freed (address_space.cpp).
            {
                Guard guard(p.m_regions.lock());
                if (p.m_address_space)
                    (void)p.m_address_space->release();
                p.m_address_space.reset();
                p.m_regions.take_all_locked(mapped);
            }
            Guard guard(p.m_image.lock());
            p.m_image.take_all_locked(mapped);
        }
        void free_mapped_frames() { Regions::free_all(mapped); }
        void clear_capabilities() { p.m_cnode.clear(); }
        void post_exit() {
            // Before anyone learns of the end: a driver restarted on it finds no pin left.
            release_devices_of(p.m_pid);
            // Threads that each ended alone leave a process that exited with 0.
            p.begin_exit({mnos::ExitReason::Exited, 0, 0}, 0);
            p.m_exit.post(p.exit_state());
            p.signal_watches();
        }
    } steps{*this, {}};
    tear_down(steps);
}

bool Process::begin_exit(ExitState how, int code) {
    Guard guard(m_threads_lock);
    if (exiting.load(std::memory_order_relaxed))
        return false;
    m_exit_how = how;
    exit_code = code;
    // Released after the code: a thread that sees `exiting` reads the code it goes with.
    exiting.store(true, std::memory_order_release);
    return true;
}

void Process::kill() {
    if (begin_exit({mnos::ExitReason::Killed, 0, 0}, -1) && log::process_lines())
        kprintln("process {} ({}) killed", m_pid, m_name);
    end_threads();
    drop_creation_hold();
}

void Process::drop_creation_hold() {
    if (m_creation_hold.exchange(false, std::memory_order_acq_rel) &&
        live_threads.fetch_sub(1, std::memory_order_acq_rel) == 1)
        release_address_space(); // no thread ever ran: the process ends here
}

void Process::end_threads() {
    // Under the lock: a listed thread is alive (it leaves the list before its last reference
    // goes, finish_switch), and request_kill takes only its block_lock and sends an IPI.
    Guard guard(m_threads_lock);
    for (Thread& thread : m_threads)
        thread.request_kill();
}

ExitState Process::exit_state() const {
    Guard guard(m_threads_lock);
    return m_exit_how;
}

void Process::attach(Thread& thread) {
    Guard guard(m_threads_lock);
    m_threads.push_back(thread);
}

void Process::detach(Thread& thread) {
    Guard guard(m_threads_lock);
    m_threads.remove(thread);
}


// (process, entry, stack top, argument) -> thread slot in the caller's CNode
lib::Result<uint64_t> Process::invoke(syscall::Op<mnos::Syscall::SpawnThread>,
                                      syscall::Invocation& call) {
    uint64_t entry = call.registers.arg1();
    uint64_t stack_top = call.registers.arg2();
    if (call.cnode.used_slots() >= mnos::CNODE_SLOTS) // refused before anything starts
        return lib::fail(mnos::Error::NoSlot);
    // A process that has ended (its last thread gone, its user half released) takes no new
    // threads; the pin keeps one that is ending from releasing its tables under the new thread.
    AddressSpacePin pin(*this);
    if (!pin.pinned() || exiting.load(std::memory_order_acquire))
        return lib::fail(mnos::Error::InvalidArgument);
    lib::RefPtr<Thread> thread = TRY(sched::spawn_user_thread(
        *this, lib::VirtAddr(entry), lib::VirtAddr(stack_top), call.registers.arg3()));
    // The thread runs whether or not its capability finds a slot (another thread of the caller
    // may have taken the last one since the check); it then simply has no holder.
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(thread), mnos::Rights::All));
    return slot.index();
}

// (process, frame slot, virtual address, flags) -> 0
lib::Result<uint64_t> Process::invoke(syscall::Op<mnos::Syscall::MapMemory>,
                                      syscall::Invocation& call) {
    uint64_t flags = call.registers.arg3();
    if (flags & ~(mnos::MAP_WRITE | mnos::MAP_EXEC))
        return lib::fail(mnos::Error::InvalidArgument);
    // W^X holds in Ring 3 as in the kernel: no page is ever both writable and executable.
    if ((flags & mnos::MAP_WRITE) && (flags & mnos::MAP_EXEC))
        return lib::fail(mnos::Error::InvalidArgument);
    mnos::Rights needed = mnos::Rights::Read;
    mm::PageFlags page_flags = mm::PageFlags::User;
    if (flags & mnos::MAP_WRITE) {
        needed |= mnos::Rights::Write;
        page_flags = page_flags | mm::PageFlags::Writable;
    }
    if (flags & mnos::MAP_EXEC) {
        needed |= mnos::Rights::Exec;
        page_flags = page_flags | mm::PageFlags::Executable;
    }
    auto frame = TRY(call.object_argument<MemoryFrame>(call.registers.arg1(), needed));
    TRY(map_frame(*this, std::move(frame), lib::VirtAddr(call.registers.arg2()), page_flags));
    return 0;
}

// (process, mmio-region slot, address, flags) -> 0: the region's pages, uncached and never
// executable. The mapping is recorded like MapMemory's, through a MemoryFrame that describes
// the device pages without owning them, so UnmapMemory takes it back the same way.
lib::Result<uint64_t> Process::invoke(syscall::Op<mnos::Syscall::MapMmio>,
                                      syscall::Invocation& call) {
    uint64_t flags = call.registers.arg3();
    if (flags & ~mnos::MAP_WRITE)
        return lib::fail(mnos::Error::InvalidArgument); // MAP_EXEC above all
    mnos::Rights needed = mnos::Rights::Read;
    mm::PageFlags page_flags = mm::PageFlags::User | mm::PageFlags::Uncached;
    if (flags & mnos::MAP_WRITE) {
        needed |= mnos::Rights::Write;
        page_flags = page_flags | mm::PageFlags::Writable;
    }
    auto region = TRY(call.object_argument<MmioRegion>(call.registers.arg1(), needed));
    auto pages = TRY(MemoryFrame::create(region->base(), region->page_count()));
    TRY(map_frame(*this, std::move(pages), lib::VirtAddr(call.registers.arg2()), page_flags));
    return 0;
}

// (process) -> 0 once it has ended; RSI the reason, RDX the code or vector, R10 the address
lib::Result<uint64_t> Process::invoke(syscall::Op<mnos::Syscall::WaitProcess>,
                                      syscall::Invocation& call) {
    if (!call.caller || call.caller->process == this)
        return lib::fail(mnos::Error::InvalidArgument); // it would wait for itself
    // The capability lookup's reference keeps this process alive while we wait.
    ExitState how = m_exit.wait(*call.caller);
    write_exit_state(call.registers, how);
    return 0;
}

void Process::signal_watches() {
    std::array<Watch, MAX_WATCHES> taken;
    {
        Guard guard(m_watch_lock);
        m_watches_signalled = true;
        taken = std::move(m_watches);
    }
    // Outside the lock: signalling takes the notification's (a lower rank).
    for (Watch& watch : taken)
        if (watch.notification)
            watch.notification->signal(watch.bits);
}

// (process, notification, bits) -> 0; the bits are signalled once the process has ended (at
// once if it has). READ on the process, WRITE on the notification.
lib::Result<uint64_t> Process::invoke(syscall::Op<mnos::Syscall::WatchProcess>,
                                      syscall::Invocation& call) {
    uint64_t bits = call.registers.arg2();
    if (bits == 0 || bits > Notification::USABLE_BITS)
        return lib::fail(mnos::Error::InvalidArgument);
    auto notification =
        TRY(call.object_argument<Notification>(call.registers.arg1(), mnos::Rights::Write));
    {
        Guard guard(m_watch_lock);
        if (!m_watches_signalled) {
            for (Watch& watch : m_watches)
                if (!watch.notification) {
                    watch = {std::move(notification), bits};
                    return 0;
                }
            return lib::fail(mnos::Error::NoSlot);
        }
    }
    notification->signal(bits); // it has ended already
    return 0;
}

// (process) -> 0; every thread ends at its next return towards Ring 3
lib::Result<uint64_t> Process::invoke(syscall::Op<mnos::Syscall::KillProcess>,
                                      syscall::Invocation& call) {
    if (!m_address_space && live_threads.load() == 0)
        return 0; // already ended: nothing to do
    kill();
    return 0;
}

// (process, virtual address, page count) -> 0
lib::Result<uint64_t> Process::invoke(syscall::Op<mnos::Syscall::UnmapMemory>,
                                      syscall::Invocation& call) {
    TRY(unmap_pages(*this, lib::VirtAddr(call.registers.arg1()), call.registers.arg2()));
    return 0;
}

} // namespace kernel::object
