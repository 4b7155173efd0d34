// test=userspace: programs from the initrd run in Ring 3 and end cleanly, and the kernel can
// neither read nor execute a user page through its user address (SMAP, SMEP).
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/protection.h"
#include "kernel/mm/memory.h"
#include "kernel/init_process.h"
#include "kernel/object/process.h"
#include "kernel/test/fault_probes.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"
#include "kernel/test/suites.h"
#include "kernel/test/test_programs.h"

namespace kernel::test {

namespace {

// Waits (sleeping) until every thread of `process` is gone and its address space released, at
// most `ticks` ticks. The release follows the last thread's count going to zero, on the CPU that
// switched away from it, so the count alone does not say the teardown is over.
bool wait_for_teardown(object::Process& process, uint64_t ticks) {
    uint64_t deadline = sched::ticks() + ticks;
    while (sched::ticks() < deadline) {
        if (process.exiting.load() && process.live_threads.load() == 0 &&
            process.address_space() == nullptr)
            return true;
        sched::sleep_ticks(1);
    }
    return false;
}

// A user page (readable, writable and, for the probe, executable; W^X is the syscall layer's
// rule, not the page tables') in a fresh process, probed from kernel mode with that process's
// tables loaded. With SMAP and SMEP on, the read and the jump both page-fault.
void probe_user_page_from_kernel(Context& ctx) {
    x86_64::Protections on = x86_64::enable_protections(); // idempotent: reads what is on
    auto process = object::Process::create_user("smap-probe", root_budget());
    EXPECT(ctx, process.has_value());
    if (!process)
        return;
    auto frame = mm::pmm().alloc_zeroed();
    EXPECT(ctx, frame.has_value());
    if (!frame)
        return;
    constexpr uint64_t USER_PAGE = 0x400000;
    mm::AddressSpace& space = *(*process)->address_space();
    EXPECT(ctx, space.map(lib::VirtAddr(USER_PAGE), *frame,
                          mm::PageFlags::User | mm::PageFlags::Writable |
                              mm::PageFlags::Executable));
    // The jump is probed only with SMEP on: without it the kernel would run whatever the page
    // holds (zeroes), not come back to the probe.
    bool was_enabled = cpu::interrupts_enabled();
    cpu::disable_interrupts(); // this CPU keeps the process's tables until they are put back
    uint64_t kernel_root = cpu::read_cr3();
    // Sound: the process's PML4 shares the kernel half, so the kernel keeps running on it; the
    // CPU's current_root is left as it was, which only makes a shootdown meanwhile
    // (impossible: interrupts are off) skip this CPU.
    cpu::write_cr3(space.root().value());
    x86_64::FaultExpectation read = probe_read(USER_PAGE);
    x86_64::FaultExpectation exec{};
    if (on.smep)
        exec = probe_execute(USER_PAGE);
    cpu::write_cr3(kernel_root);
    if (was_enabled)
        cpu::enable_interrupts();
    kprintln("selftest userspace: kernel read of a user page {}, jump into one {}",
             read.caught ? "faulted" : "went through", exec.caught ? "faulted" : "not tried");
    EXPECT(ctx, on.smap && read.caught && read.cr2 == USER_PAGE);
    EXPECT(ctx, on.smep && exec.caught && exec.cr2 == USER_PAGE);
    (void)space.unmap(lib::VirtAddr(USER_PAGE));
    (void)mm::pmm().free(*frame);
}

} // namespace

void userspace_suite(Context& ctx) {
    probe_user_page_from_kernel(ctx);
    const char* argv[] = {"/bin/hello", "one", "two"};
    auto hello = spawn_test_program("/bin/hello", argv);
    EXPECT(ctx, hello.has_value());
    if (hello) {
        EXPECT(ctx, wait_for_teardown(**hello, 1000));
        EXPECT(ctx, (*hello)->exit_code == 3); // hello returns argc
        kprintln("selftest userspace: /bin/hello with 3 arguments exited with code {}",
                 (*hello)->exit_code);
    }
    const char* none[] = {"/bin/no-such-program"};
    auto missing = spawn_test_program("/bin/no-such-program", none);
    EXPECT(ctx, !missing && missing.error() == lib::Error::NotFound);
}

} // namespace kernel::test
