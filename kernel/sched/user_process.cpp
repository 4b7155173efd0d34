#include "kernel/sched/user_process.h"

#include "abi/syscall.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/debug/log.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"
#include "kernel/object/memory_frame.h"
#include "kernel/sched/scheduler.h"
#include "kernel/syscall/user_memory.h"
#include "lib/elf.h"

extern "C" [[noreturn]] void enter_user_mode(uint64_t rip, uint64_t rsp, uint64_t argument);

namespace kernel::sched {

namespace {

using lib::PhysAddr;
using lib::VirtAddr;

// The main thread's stack: 64 KiB ending one page below USER_END. The page below it is never
// mapped, so running off the bottom faults (the guard) instead of reaching other data.
constexpr uint64_t USER_STACK_TOP = mnos::USER_END - lib::PAGE_SIZE;
constexpr uint64_t USER_STACK_SIZE = 64 * 1024;
// What a user thread is charged to its process's budget: its kernel stack and the object.
constexpr uint64_t THREAD_PAGES = mm::layout::STACK_SIZE / lib::PAGE_SIZE + 1;

mm::PageFlags page_flags(lib::SegmentFlags f) {
    mm::PageFlags flags = mm::PageFlags::User;
    if (f.writable)
        flags = flags | mm::PageFlags::Writable;
    if (f.executable)
        flags = flags | mm::PageFlags::Executable;
    return flags;
}

// Loads segments into a process's address space: fresh zeroed frames mapped with the segment's
// permissions, written through the HHDM (so read-only pages can be filled too). Each page is
// recorded in the process's image regions, which own it: it goes back to the allocator when the
// address space is released, whatever happens to the process after loading.
class AddressSpaceLoader final : public lib::AddressSpaceSink {
public:
    explicit AddressSpaceLoader(Process& process)
        : m_process(process), m_space(*process.address_space()) {}

    lib::Result<void> map_zeroed(VirtAddr page, size_t count, lib::SegmentFlags f) override {
        for (size_t i = 0; i < count; ++i)
            TRY(map_one(page + i * lib::PAGE_SIZE, page_flags(f)));
        return {};
    }

    lib::Result<void> copy_to(VirtAddr dst, std::span<const uint8_t> bytes) override {
        size_t done = 0;
        while (done < bytes.size()) {
            VirtAddr at = dst + done;
            auto t = TRY(m_space.translate(at));
            size_t room = lib::PAGE_SIZE - at.offset_in(lib::PAGE_SIZE);
            size_t n = bytes.size() - done < room ? bytes.size() - done : room;
            // t.phys is a frame map_zeroed just allocated: usable RAM, inside the HHDM.
            __builtin_memcpy(mm::phys_to_ptr<uint8_t>(t.phys), bytes.data() + done, n);
            done += n;
        }
        return {};
    }

private:
    lib::Result<void> map_one(VirtAddr page, mm::PageFlags flags) {
        // From the process's budget, zeroed: the MemoryFrame owns the page, and the region the
        // MemoryFrame, so every failure below gives it back (and refunds it) by dropping them.
        auto frame = TRY(m_process.budget()->allocate_memory_frame());
        PhysAddr phys = frame->base();
        // Sound: a frame just allocated, in RAM (inside the HHDM), mapped nowhere yet.
        __builtin_memset(mm::phys_to_ptr<void>(phys), 0, lib::PAGE_SIZE);
        auto* region = new (std::nothrow) object::Region;
        if (!region)
            return lib::fail(lib::Error::OutOfMemory);
        region->base = page;
        region->pages = region->still_mapped = 1;
        region->frame = std::move(frame);
        {
            // The user half's tables change only under the regions lock (address_space.cpp).
            Guard guard(m_process.regions().lock());
            if (auto mapped = m_space.map(page, phys, flags, mm::PageSize::Small); !mapped) {
                delete region;
                return lib::fail(mapped.error());
            }
        }
        Guard guard(m_process.image().lock());
        m_process.image().add_locked(*region);
        return {};
    }

    Process& m_process;
    mm::AddressSpace& m_space;
};

// A user thread's kernel-side start: straight into Ring 3 at its entry point.
void user_thread_start(void*) {
    Thread& self = *current();
    if (log::process_lines() && self.process->live_threads.load() == 1 &&
        self.user_argument == 0)
        kprintln("process {} ({}): entering Ring 3 at {:#x}", self.process->pid(),
                 self.process->name(), self.user_rip);
    enter_user_mode(self.user_rip, self.user_rsp, self.user_argument);
}

lib::Result<VirtAddr> build_stack(Process& process, std::span<const char* const> argv,
                                  std::span<const char* const> envp) {
    AddressSpaceLoader loader(process);
    VirtAddr bottom(USER_STACK_TOP - USER_STACK_SIZE);
    TRY(loader.map_zeroed(bottom, USER_STACK_SIZE / lib::PAGE_SIZE, {true, true, false}));
    uint8_t layout[2048];
    auto stack = TRY(lib::build_initial_stack(layout, VirtAddr(USER_STACK_TOP), argv, envp));
    TRY(loader.copy_to(VirtAddr(USER_STACK_TOP - stack.size),
                       std::span<const uint8_t>(layout + sizeof layout - stack.size, stack.size)));
    return stack.stack_pointer;
}

} // namespace

lib::Result<lib::RefPtr<Thread>> spawn_user_thread(Process& process, VirtAddr entry,
                                                   VirtAddr stack_top, uint64_t argument,
                                                   uint32_t cpu) {
    // The entry is an instruction in the user half, the stack top at most its end.
    TRY(syscall::check_user_range(entry.value(), 1));
    if (!process.address_space()) // a kernel process, or one that has ended
        return lib::fail(lib::Error::InvalidArgument);
    if (stack_top.value() <= mnos::USER_MIN)
        return lib::fail(lib::Error::BadAddress);
    TRY(syscall::check_user_range(stack_top.value() - 1, 1));
    object::MemoryBudget* budget = process.budget();
    if (!budget)
        return lib::fail(lib::Error::InvalidArgument);
    object::BudgetCharge charge = TRY(object::BudgetCharge::take(*budget, THREAD_PAGES));
    Thread* thread = TRY(create_thread(process.name(), user_thread_start, nullptr, cpu, &process));
    thread->charge = std::move(charge);
    thread->user_rip = entry.value();
    thread->user_rsp = stack_top.value();
    thread->user_argument = argument;
    // The thread holds the process (and its address space) until its last switch away.
    process.add_ref();
    process.live_threads.fetch_add(1);
    process.attach(*thread);
    process.drop_creation_hold(); // the thread counts now
    lib::RefPtr<Thread> reference(thread); // counted: the scheduler keeps its own
    start_thread(*thread);
    return reference;
}

lib::Result<lib::RefPtr<Process>> spawn_program(lib::StringView name,
                                                std::span<const uint8_t> image,
                                                std::span<const char* const> argv,
                                                std::span<const char* const> envp,
                                                object::MemoryBudget& budget, Prepare prepare,
                                                uint32_t cpu) {
    lib::UserRange range{VirtAddr(mnos::USER_MIN), VirtAddr(USER_STACK_TOP - USER_STACK_SIZE -
                                                            lib::PAGE_SIZE)};
    auto process = TRY(Process::create_user(name, budget));
    // On any failure below, dropping `process` releases its address space and every table.
    AddressSpaceLoader loader(*process);
    const char* reason = nullptr;
    auto entry = lib::elf_load(image, range, loader, &reason);
    if (!entry) {
        kprintln(LogColour::Error, "{}: refused: {}", name, reason ? reason : "malformed ELF");
        return lib::fail(entry.error());
    }
    VirtAddr sp = TRY(build_stack(*process, argv, envp));
    if (prepare)
        TRY(prepare(*process));
    TRY(spawn_user_thread(*process, *entry, sp, 0, cpu));
    return process;
}

void exit_current_process(int code, std::optional<object::ExitState> how) {
    Thread& self = *current();
    Process* process = self.process;
    if (process) {
        object::ExitState of_process = how ? *how : object::ExitState{};
        if (!how || how->reason != mnos::ExitReason::Faulted)
            of_process = {mnos::ExitReason::Exited, uint64_t(int64_t(code)), 0};
        if (process->begin_exit(of_process, code) && log::process_lines())
            kprintln("process {} ({}) exited with code {}", process->pid(), process->name(), code);
        // Every other thread, wherever it is, ends on its way out of the kernel; the last
        // thread to leave takes the address space with it (after its final switch, see
        // scheduler.cpp's finish_switch).
        process->end_threads();
    }
    Thread::end_current(how ? *how : object::ExitState{mnos::ExitReason::Exited, uint64_t(code)});
}

void end_asked(Thread& self) {
    // A thread of an ending process ends as the process does (exited with its code, killed, or
    // by its fault); one killed alone, as killed.
    Process* process = self.process;
    if (process && process->exiting.load(std::memory_order_acquire))
        Thread::end_current(process->exit_state());
    Thread::end_current({mnos::ExitReason::Killed, 0, 0});
}

} // namespace kernel::sched
