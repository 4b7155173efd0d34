// test=bench-smp: the cross-CPU figure `make bench` takes on two CPUs without icount (under
// icount QEMU runs the CPUs round-robin on one host thread, so a cross-CPU wait there measures
// its scheduling). Without icount a TSC cycle is host time, not an instruction, so the figure
// stands beside a loop of known instruction count and the same round trip on one CPU, all in
// this boot (docs/benchmarks.md).
#include "kernel/sched/scheduler.h"
#include "kernel/test/ring3_bench.h"
#include "kernel/test/ring3_pair.h"
#include "kernel/test/suites.h"

namespace kernel::test {

using ring3_pair::hand_offs;

void bench_smp_suite(Context& ctx) {
    using namespace ring3_bench;
    EXPECT(ctx, sched::online_cpus() >= 2);
    if (sched::online_cpus() < 2)
        return;
    int calibration = syscall_cycles(ctx, "calibrate", 1);
    kprintln("bench: calibration loop in ring 3 (1000 instructions): {} cycles", calibration);
    // CPU 1, away from this suite's thread, which wakes every tick to see whether they ended.
    uint64_t direct = hand_offs();
    int one_cpu = ipc_between_processes(ctx, false, 1, 1);
    kprintln("bench: ring 3 call/reply between two processes on cpu 1: {} cycles per round trip",
             one_cpu);
    EXPECT(ctx, hand_offs() - direct >= 2 * 5 * 10000); // the fast path, as under icount
    direct = hand_offs();
    int across = ipc_between_processes(ctx, false, 0, 1);
    kprintln("bench: ring 3 call/reply between processes on cpus 0 and 1: {} cycles per round trip",
             across);
    EXPECT(ctx, hand_offs() == direct); // every wake crossed CPUs: nothing switched directly
    EXPECT(ctx, calibration > 0 && one_cpu > 0 && across > 0);
}

} // namespace kernel::test
