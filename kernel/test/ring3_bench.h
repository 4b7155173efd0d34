// The Ring 3 half of test=bench: programs from the initrd that time themselves with RDTSC and
// exit with the median per operation (user/bench_syscall, user/bench_ipc). Each function starts
// the programs a figure needs, waits for them all to end and returns the measuring one's exit
// code: the figure, or zero or less when something failed (a failed EXPECT says what).
#pragma once

#include "kernel/test/self_test.h"

namespace kernel::test::ring3_bench {

// /bin/bench_syscall `kind` ("invalid", "yield").
int syscall_cycles(Context& ctx, const char* kind);
// A call/reply round trip between a client and a server process; `transfer`: each call also
// carries a capability, which the server drops before replying.
int ipc_between_processes(Context& ctx, bool transfer);
// The same between two threads of one process.
int ipc_between_threads(Context& ctx);
// One yield that switches from one process to the other.
int yield_between_processes(Context& ctx);

} // namespace kernel::test::ring3_bench
