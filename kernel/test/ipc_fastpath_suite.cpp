// test=ipc-fastpath and test=ipc-mixed: the IPC paths checked from Ring 3 by user/ipc_check, a
// server and a client process on one endpoint; both suites also check that xmm0-xmm15 survive
// IPC on both sides (ipc_check's sse mode). The programs check every word, badge and
// refusal themselves and print a PASS or FAIL line; here each must exit with 0, and the
// direct switches of the syscall's fast path (sched::CpuStats::syscall_hand_offs, kernel/ipc/
// fastpath.h) show which path the round trips took.
#include "kernel/sched/scheduler.h"
#include "kernel/test/ring3_pair.h"
#include "kernel/test/suites.h"

namespace kernel::test {

namespace {

using mnos::Rights;
using ring3_pair::hand_offs;

constexpr uint64_t EXACT_ROUND_TRIPS = 100000, MIXED_ROUND_TRIPS = 10000, XMM_ROUND_TRIPS = 10000;
constexpr uint64_t DEADLINE_SECONDS = 300;

// Runs ipc_check's client and server in `mode`, both pinned to `cpu` if given; returns the fast
// path's switches meanwhile.
uint64_t run_check(Context& ctx, const char* mode, uint32_t cpu = sched::ANY_CPU) {
    const char* client[] = {"/bin/ipc_check", "client", mode};
    const char* server[] = {"/bin/ipc_check", "server", mode};
    uint64_t before = hand_offs();
    // The client's exit code is 0 when every check passed; run_pair says 0 on its own failures
    // too, but those fail an EXPECT of their own.
    int code = ring3_pair::run_pair(ctx, client, Rights::Write | Rights::Grant, server,
                                    Rights::Read,
                                    {.deadline_seconds = DEADLINE_SECONDS,
                                     .measuring_cpu = cpu,
                                     .partner_cpu = cpu});
    EXPECT(ctx, code == 0);
    return hand_offs() - before;
}

// On one CPU nearly every blocking call and reply_recv hands off. Not all: a timer tick that
// preempts the server after its reply but before it blocks in its receive lets the client's
// next call find nobody waiting, which is the general path's case (seen on a loaded host).
bool nearly_all(uint64_t direct, uint64_t switches) { return direct >= switches - switches / 100; }

// The SSE check; on one CPU its round trips all take the fast path too.
void check_xmm(Context& ctx, const char* suite) {
    uint64_t direct = run_check(ctx, "sse");
    kprintln("selftest {}: xmm0-xmm15 checked over {} round trips, {} fast-path switches", suite,
             XMM_ROUND_TRIPS, direct);
    if (sched::online_cpus() == 1)
        EXPECT(ctx, nearly_all(direct, 2 * XMM_ROUND_TRIPS));
}

} // namespace

void ipc_fastpath_suite(Context& ctx) {
    uint64_t direct = run_check(ctx, "exact");
    kprintln("selftest ipc-fastpath: {} ring 3 round trips, {} fast-path switches on {} cpu(s)",
             EXACT_ROUND_TRIPS, direct, sched::online_cpus());
    // On one CPU every call and every reply_recv that blocks hands the CPU to its partner.
    if (sched::online_cpus() == 1)
        EXPECT(ctx, nearly_all(direct, 2 * EXACT_ROUND_TRIPS));
    check_xmm(ctx, "ipc-fastpath");
}

void ipc_mixed_suite(Context& ctx) {
    uint64_t direct = run_check(ctx, "mixed");
    kprintln("selftest ipc-mixed: {} ring 3 round trips, {} fast-path switches on {} cpu(s)",
             MIXED_ROUND_TRIPS, direct, sched::online_cpus());
    // Both kinds ran: some round trips switched directly, and the slow cases did not.
    if (sched::online_cpus() == 1)
        EXPECT(ctx, direct > 0);
    EXPECT(ctx, direct < 2 * MIXED_ROUND_TRIPS);
    // With several CPUs the two usually run apart, where every wake crosses CPUs; once more
    // with both on the last CPU, so the fast cases also meet the slow ones beside other CPUs
    // (the client's spinning thread may run anywhere).
    uint32_t cpus = sched::online_cpus();
    if (cpus > 1) {
        uint64_t pinned = run_check(ctx, "mixed", cpus - 1);
        kprintln("selftest ipc-mixed: {} ring 3 round trips on cpu {}, {} fast-path switches",
                 MIXED_ROUND_TRIPS, cpus - 1, pinned);
        EXPECT(ctx, pinned > 0 && pinned < 2 * MIXED_ROUND_TRIPS);
    }
    check_xmm(ctx, "ipc-mixed");
}

} // namespace kernel::test
