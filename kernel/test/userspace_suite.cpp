// test=userspace: programs from the initrd run in Ring 3 and end cleanly.
#include "kernel/object/process.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"
#include "kernel/test/suites.h"

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

} // namespace

void userspace_suite(Context& ctx) {
    const char* argv[] = {"/bin/hello", "one", "two"};
    auto hello = sched::spawn_program("/bin/hello", argv);
    EXPECT(ctx, hello.has_value());
    if (hello) {
        EXPECT(ctx, wait_for_teardown(**hello, 1000));
        EXPECT(ctx, (*hello)->exit_code == 3); // hello returns argc
        kprintln("selftest userspace: /bin/hello with 3 arguments exited with code {}",
                 (*hello)->exit_code);
    }
    const char* none[] = {"/bin/no-such-program"};
    auto missing = sched::spawn_program("/bin/no-such-program", none);
    EXPECT(ctx, !missing && missing.error() == lib::Error::NotFound);
}

} // namespace kernel::test
