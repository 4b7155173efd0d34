// test=lifecycle: a process ends completely. /bin/true is started and waited for a thousand
// times; afterwards the free frames, the kernel heap in use and the kernel stacks are exactly
// what they were before (after a few warm-up runs, which let the heap and the stack pool reach
// the size one process needs).
#include "kernel/debug/log.h"
#include "kernel/init_process.h"
#include "kernel/mm/kernel_heap.h"
#include "kernel/mm/memory.h"
#include "kernel/object/process.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"
#include "kernel/test/suites.h"
#include "kernel/test/test_programs.h"

namespace kernel::test {

namespace {

constexpr int WARM_UP = 20;
constexpr int CYCLES = 1000;

struct Usage {
    uint64_t free_frames;
    uint64_t heap_in_use;
    uint64_t kernel_stacks;
    bool operator==(const Usage&) const = default;
};

// After a few ticks, so the last process's final release (on whichever CPU switched away from
// its thread) has happened.
Usage usage_now() {
    sched::sleep_ticks(5);
    return {mm::pmm().stats().free_frames, mm::kernel_heap().stats().bytes_in_use,
            sched::kernel_stacks()};
}

// Starts /bin/true and waits for it to end; false if it did not start or did not exit with 0.
bool run_true() {
    const char* argv[] = {"/bin/true"};
    auto process = spawn_test_program("/bin/true", argv);
    if (!process)
        return false;
    object::ExitState end = (*process)->wait_for_exit(*sched::current());
    return end.reason == mnos::ExitReason::Exited && end.code == 0;
}

} // namespace

void lifecycle_suite(Context& ctx) {
    for (int i = 0; i < WARM_UP; ++i)
        EXPECT(ctx, run_true());
    Usage before = usage_now();
    int failed = 0;
    for (int i = 0; i < CYCLES; ++i)
        failed += run_true() ? 0 : 1;
    Usage after = usage_now();
    EXPECT(ctx, failed == 0);
    kprintln("selftest lifecycle: {} spawn/exit cycles ({} failed): free frames {} -> {}, "
             "heap in use {} -> {} bytes, kernel stacks {} -> {}",
             CYCLES, failed, before.free_frames, after.free_frames, before.heap_in_use,
             after.heap_in_use, before.kernel_stacks, after.kernel_stacks);
    EXPECT(ctx, before.free_frames == after.free_frames);
    EXPECT(ctx, before.heap_in_use == after.heap_in_use);
    EXPECT(ctx, before.kernel_stacks == after.kernel_stacks);
}

} // namespace kernel::test
