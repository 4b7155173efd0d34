#include "kernel/test/ring3_bench.h"

#include <optional>

#include "kernel/cap/cnode.h"
#include "kernel/init_process.h"
#include "kernel/object/endpoint.h"
#include "kernel/sched/scheduler.h"
#include "kernel/test/test_programs.h"

namespace kernel::test::ring3_bench {

namespace {

using mnos::CapSlot;
using mnos::Rights;

// The slots user/bench_ipc expects.
constexpr CapSlot SELF{0}, BUDGET{1}, ENDPOINT{3};
constexpr uint64_t DEADLINE_SECONDS = 120;

// What the next program started gets in ENDPOINT. A Prepare is a plain function, so it finds
// the endpoint here; only the bench suite's one thread sets and reads it, one spawn at a time.
lib::RefPtr<object::Endpoint> g_endpoint;
Rights g_endpoint_rights = Rights::None;

lib::Result<void> grant_bench_caps(object::Process& process) {
    cap::CNode& cnode = process.cnode();
    TRY(cap::insert(cnode, lib::RefPtr<object::KernelObject>(&process),
                    Rights::Read | Rights::Write | Rights::Grant, SELF));
    TRY(cap::insert(cnode, lib::RefPtr<object::KernelObject>(&root_budget()), Rights::Write,
                    BUDGET));
    if (g_endpoint)
        TRY(cap::insert(cnode, g_endpoint, g_endpoint_rights, ENDPOINT));
    return {};
}

lib::RefPtr<object::Process> start(Context& ctx, lib::StringView path,
                                   std::span<const char* const> argv) {
    auto process = spawn_test_program(path, argv, grant_bench_caps);
    EXPECT(ctx, process.has_value());
    return process ? *process : lib::RefPtr<object::Process>();
}

// The exit code once the process has ended, or nothing after the deadline.
std::optional<int> wait_for_exit(object::Process& process) {
    uint64_t deadline = sched::ticks() + DEADLINE_SECONDS * sched::TICK_HZ;
    while (!(process.exiting.load() && process.live_threads.load() == 0)) {
        if (sched::ticks() >= deadline)
            return std::nullopt;
        sched::sleep_ticks(1);
    }
    return process.exit_code;
}

// Runs `measuring` beside `partner` (if any). With `measuring_rights`, the two share a fresh
// endpoint, which the partner holds with `partner_rights`; the partner must exit with 0.
// Returns the measuring side's exit code.
int run_pair(Context& ctx, std::span<const char* const> measuring, Rights measuring_rights,
             std::span<const char* const> partner, Rights partner_rights) {
    if (measuring_rights != Rights::None) {
        auto endpoint = object::Endpoint::create();
        EXPECT(ctx, endpoint.has_value());
        if (!endpoint)
            return 0;
        g_endpoint = *endpoint;
    }
    lib::RefPtr<object::Process> other;
    if (!partner.empty()) {
        g_endpoint_rights = partner_rights;
        other = start(ctx, partner[0], partner);
    }
    g_endpoint_rights = measuring_rights;
    auto measurer = start(ctx, measuring[0], measuring);
    g_endpoint = nullptr;
    if (!measurer || (!partner.empty() && !other))
        return 0;
    std::optional<int> figure = wait_for_exit(*measurer);
    EXPECT(ctx, figure.has_value());
    if (other) {
        std::optional<int> partner_code = wait_for_exit(*other);
        EXPECT(ctx, partner_code == 0);
        if (partner_code != 0)
            return 0;
    }
    return figure.value_or(0);
}

} // namespace

int syscall_cycles(Context& ctx, const char* kind) {
    const char* argv[] = {"/bin/bench_syscall", kind};
    return run_pair(ctx, argv, Rights::None, {}, Rights::None);
}

int ipc_between_processes(Context& ctx, bool transfer) {
    const char* client[] = {"/bin/bench_ipc", "client", "transfer"};
    const char* server[] = {"/bin/bench_ipc", "server", "transfer"};
    size_t args = transfer ? 3 : 2;
    return run_pair(ctx, std::span(client, args), Rights::Write | Rights::Grant,
                    std::span(server, args), Rights::Read);
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
