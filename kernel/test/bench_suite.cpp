// test=bench: the kernel's fast paths, measured in TSC cycles on one CPU. `make bench` boots a
// Release kernel with -icount shift=0, where the TSC advances once per guest instruction, so
// the figures are instruction counts, repeatable from boot to boot (docs/benchmarks.md). Each
// figure is the median of five runs; every run also checks its work (turns taken, payloads).
#include <algorithm>
#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/wait_queue.h"
#include "kernel/test/ipc_test_support.h"
#include "kernel/test/ring3_bench.h"
#include "kernel/test/suites.h"

namespace kernel::test {

namespace {

using sched::Semaphore;

constexpr int RUNS = 5;
constexpr uint32_t CPU = 0;

template <typename Measure> uint64_t median_of_runs(Measure measure) {
    uint64_t figures[RUNS];
    for (auto& figure : figures)
        figure = measure();
    std::sort(figures, figures + RUNS);
    return figures[RUNS / 2];
}

// ---- yield: two threads on one CPU hand it back and forth ----

constexpr uint64_t YIELDS = 20000;

struct YieldRun {
    std::atomic<uint32_t> started{0};
    uint64_t start = 0, end = 0;
    uint64_t turns[2] = {};
    Semaphore done;
};
struct YieldThread {
    YieldRun* run;
    int self;
};

void yield_thread(void* raw) {
    auto* t = static_cast<YieldThread*>(raw);
    YieldRun& run = *t->run;
    if (run.started.fetch_add(1) == 0)
        while (run.started.load() < 2)
            sched::yield();
    else
        run.start = cpu::rdtsc(); // the second thread starts the clock: both are ready now
    for (uint64_t i = 0; i < YIELDS; ++i) {
        ++run.turns[t->self];
        sched::yield();
    }
    run.end = cpu::rdtsc();
    run.done.up();
}

uint64_t cycles_per_yield(Context& ctx) {
    YieldRun run;
    YieldThread threads[2] = {{&run, 0}, {&run, 1}};
    for (auto& t : threads)
        EXPECT(ctx, sched::spawn("bench-yield", yield_thread, &t, CPU).has_value());
    run.done.down();
    run.done.down();
    EXPECT(ctx, run.turns[0] == YIELDS && run.turns[1] == YIELDS);
    return (run.end - run.start) / (2 * YIELDS);
}

// ---- semaphore ping-pong: block and wake on one CPU ----

constexpr uint64_t ROUND_TRIPS = 10000;

struct SemaphoreRun {
    Semaphore ping, pong, done;
    uint64_t served = 0;
    uint64_t start = 0, end = 0;
};

void semaphore_ponger(void* raw) {
    auto* run = static_cast<SemaphoreRun*>(raw);
    for (uint64_t i = 0; i < ROUND_TRIPS; ++i) {
        run->ping.down();
        ++run->served;
        run->pong.up();
    }
    run->done.up();
}

void semaphore_pinger(void* raw) {
    auto* run = static_cast<SemaphoreRun*>(raw);
    run->start = cpu::rdtsc();
    for (uint64_t i = 0; i < ROUND_TRIPS; ++i) {
        run->ping.up();
        run->pong.down();
    }
    run->end = cpu::rdtsc();
    run->done.up();
}

uint64_t cycles_per_semaphore_round_trip(Context& ctx) {
    SemaphoreRun run;
    EXPECT(ctx, sched::spawn("bench-ponger", semaphore_ponger, &run, CPU).has_value());
    EXPECT(ctx, sched::spawn("bench-pinger", semaphore_pinger, &run, CPU).has_value());
    run.done.down();
    run.done.down();
    EXPECT(ctx, run.served == ROUND_TRIPS);
    return (run.end - run.start) / ROUND_TRIPS;
}

} // namespace

void bench_suite(Context& ctx) {
    using namespace ring3_bench;
    int invalid = syscall_cycles(ctx, "invalid");
    kprintln("bench: syscall from ring 3 with an invalid number (entry and exit): {} cycles",
             invalid);
    // The loop the cross-CPU figures are scaled by (test=bench-smp): here, where a cycle is an
    // instruction, it shows that its instruction count is what it says.
    int calibration = syscall_cycles(ctx, "calibrate");
    kprintln("bench: calibration loop in ring 3 (1000 instructions): {} cycles", calibration);
    int yield_call = syscall_cycles(ctx, "yield");
    kprintln("bench: yield syscall from ring 3 with nothing else ready: {} cycles", yield_call);
    uint64_t hand_offs = sched::cpu_stats(CPU).syscall_hand_offs;
    int ipc_processes = ipc_between_processes(ctx, false);
    // Both halves of every round trip take the syscall's fast path: the call and the reply_recv.
    hand_offs = sched::cpu_stats(CPU).syscall_hand_offs - hand_offs;
    kprintln("bench: fast-path switches in the process round trips: {}", hand_offs);
    EXPECT(ctx, hand_offs >= 2 * 5 * 10000);
    kprintln("bench: ring 3 call/reply between two processes on one cpu: {} cycles per round trip",
             ipc_processes);
    int ipc_threads = ipc_between_threads(ctx);
    kprintln("bench: ring 3 call/reply between two threads of a process: {} cycles per round trip",
             ipc_threads);
    int ipc_transfer = ipc_between_processes(ctx, true);
    kprintln("bench: ring 3 call/reply carrying a capability: {} cycles per round trip",
             ipc_transfer);
    int yield_processes = yield_between_processes(ctx);
    kprintln("bench: ring 3 yield between two processes on one cpu: {} cycles", yield_processes);
    EXPECT(ctx, invalid > 0 && yield_call > 0 && calibration > 0);
    EXPECT(ctx, ipc_processes > 0 && ipc_threads > 0 && ipc_transfer > 0 && yield_processes > 0);
    uint64_t yield = median_of_runs([&] { return cycles_per_yield(ctx); });
    kprintln("bench: yield between two kernel threads on one cpu: {} cycles", yield);
    uint64_t semaphore = median_of_runs([&] { return cycles_per_semaphore_round_trip(ctx); });
    kprintln("bench: semaphore ping-pong on one cpu: {} cycles per round trip", semaphore);
    uint64_t ipc =
        median_of_runs([&] { return ipc_test::ipc_round_trip_cycles(ctx, CPU, ROUND_TRIPS); });
    kprintln("bench: ipc call/reply between two processes on one cpu: {} cycles per round trip",
             ipc);
    EXPECT(ctx, yield > 0 && semaphore > 0 && ipc > 0);
}

} // namespace kernel::test
