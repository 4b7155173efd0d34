// The Ring 3 half of test=bench: programs from the initrd that time themselves with RDTSC and
// exit with the median per operation (user/bench_syscall, user/bench_ipc). Each function starts
// the programs a figure needs, waits for them all to end and returns the measuring one's exit
// code: the figure, or zero or less when something failed (a failed EXPECT says what).
#pragma once

#include "kernel/sched/scheduler.h"
#include "kernel/test/self_test.h"

namespace kernel::test::ring3_bench {

// /bin/bench_syscall `kind` ("invalid", "yield", "calibrate": cycles per 1,000 instructions of
// a loop), on `cpu` if given.
int syscall_cycles(Context& ctx, const char* kind, uint32_t cpu = sched::ANY_CPU);
// A call/reply round trip between a client and a server process; `transfer`: each call also
// carries a capability, which the server drops before replying. The client's and the server's
// main threads are pinned to `client_cpu` and `server_cpu` if given.
int ipc_between_processes(Context& ctx, bool transfer, uint32_t client_cpu = sched::ANY_CPU,
                          uint32_t server_cpu = sched::ANY_CPU);
// The same between two threads of one process.
int ipc_between_threads(Context& ctx);
// One yield that switches from one process to the other.
int yield_between_processes(Context& ctx);

} // namespace kernel::test::ring3_bench
