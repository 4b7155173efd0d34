// Two Ring 3 programs from the initrd that meet on a fresh endpoint, started by a self-test
// and waited for: the benchmarks' client and server (ring3_bench.cpp) and the IPC checks
// (ipc_fastpath_suite.cpp). Each program gets, before its first instruction, slot 0 its own
// process, 1 a memory budget and 3 the shared endpoint with the rights its side is given.
#pragma once

#include <span>

#include "abi/capability.h"
#include "kernel/sched/scheduler.h"
#include "kernel/test/self_test.h"

namespace kernel::test::ring3_pair {

struct Options {
    uint64_t deadline_seconds = 120; // for each program to end
    // Where each program's main thread is pinned, or anywhere.
    uint32_t measuring_cpu = sched::ANY_CPU;
    uint32_t partner_cpu = sched::ANY_CPU;
};

// Runs `measuring` beside `partner` (if any). With `measuring_rights` other than None, the two
// share a fresh endpoint, which the partner holds with `partner_rights`; the partner must exit
// with 0. Returns the measuring side's exit code, or 0 when something failed (a failed EXPECT
// says what: a program that did not start, or did not end by the deadline).
int run_pair(Context& ctx, std::span<const char* const> measuring, mnos::Rights measuring_rights,
             std::span<const char* const> partner, mnos::Rights partner_rights,
             Options options = {});

// The direct switches the syscall's IPC fast path (kernel/ipc/fastpath.h) has made so far,
// summed over the online CPUs: the ones a Ring 3 call or reply_recv made without the general
// path, which has direct switches of its own that this does not count.
uint64_t hand_offs();

} // namespace kernel::test::ring3_pair
