// test=init: waits for the init program (init=PATH) to end and reports its exit code, so that a
// Ring 3 test program (docs/syscalls.md) can be a boot test: it passes when the program exits
// with 0 within the time limit.
#include "kernel/debug/log.h"
#include "kernel/init_process.h"
#include "kernel/sched/scheduler.h"
#include "kernel/test/suites.h"

namespace kernel::test {

void init_suite(Context& ctx) {
    object::Process* init = init_process();
    EXPECT(ctx, init != nullptr);
    if (!init)
        return;
    // Generous: the syscall fuzzer makes 100,000 calls. The boot test's timeout is the real
    // limit; this only keeps a hung program from hanging the suite forever.
    constexpr uint64_t LIMIT_TICKS = 280 * sched::TICK_HZ;
    uint64_t deadline = sched::ticks() + LIMIT_TICKS;
    bool ended = false;
    while (!ended && sched::ticks() < deadline) {
        ended = init->exiting.load() && init->live_threads.load() == 0;
        if (!ended)
            sched::sleep_ticks(10);
    }
    EXPECT(ctx, ended);
    if (!ended)
        return;
    kprintln("selftest init: process {} ({}) exited with code {}", init->pid(), init->name(),
             init->exit_code);
    EXPECT(ctx, init->exit_code == 0);
}

} // namespace kernel::test
