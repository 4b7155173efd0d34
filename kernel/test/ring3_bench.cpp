#include "kernel/test/ring3_bench.h"

#include "kernel/test/ring3_pair.h"

namespace kernel::test::ring3_bench {

using mnos::Rights;
using ring3_pair::run_pair;

int syscall_cycles(Context& ctx, const char* kind, uint32_t cpu) {
    const char* argv[] = {"/bin/bench_syscall", kind};
    return run_pair(ctx, argv, Rights::None, {}, Rights::None, {.measuring_cpu = cpu});
}

int ipc_between_processes(Context& ctx, bool transfer, uint32_t client_cpu, uint32_t server_cpu) {
    const char* client[] = {"/bin/bench_ipc", "client", "transfer"};
    const char* server[] = {"/bin/bench_ipc", "server", "transfer"};
    size_t args = transfer ? 3 : 2;
    return run_pair(ctx, std::span(client, args), Rights::Write | Rights::Grant,
                    std::span(server, args), Rights::Read,
                    {.measuring_cpu = client_cpu, .partner_cpu = server_cpu});
}

int ipc_between_threads(Context& ctx) {
    const char* argv[] = {"/bin/bench_ipc", "threads"};
    return run_pair(ctx, argv, Rights::None, {}, Rights::None);
}

int yield_between_processes(Context& ctx) {
    const char* lead[] = {"/bin/bench_ipc", "yield-lead"};
    const char* follow[] = {"/bin/bench_ipc", "yield-follow"};
    return run_pair(ctx, lead, Rights::Write, follow, Rights::Read);
}

} // namespace kernel::test::ring3_bench
