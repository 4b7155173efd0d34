#include "kernel/test/ring3_pair.h"

#include <optional>

#include "kernel/cap/cnode.h"
#include "kernel/init_process.h"
#include "kernel/object/endpoint.h"
#include "kernel/sched/scheduler.h"
#include "kernel/test/test_programs.h"

namespace kernel::test::ring3_pair {

namespace {

using mnos::CapSlot;
using mnos::Rights;

constexpr CapSlot SELF{0}, BUDGET{1}, ENDPOINT{3};

// What the next program started gets in ENDPOINT. A Prepare is a plain function, so it finds
// the endpoint here; only one self-test thread sets and reads it, one spawn at a time.
lib::RefPtr<object::Endpoint> g_endpoint;
Rights g_endpoint_rights = Rights::None;

lib::Result<void> grant_caps(object::Process& process) {
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
                                   std::span<const char* const> argv, uint32_t cpu) {
    auto process = spawn_test_program(path, argv, grant_caps, cpu);
    EXPECT(ctx, process.has_value());
    return process ? *process : lib::RefPtr<object::Process>();
}

// The exit code once the process has ended, or nothing after the deadline.
std::optional<int> wait_for_exit(object::Process& process, uint64_t deadline_seconds) {
    uint64_t deadline = sched::ticks() + deadline_seconds * sched::TICK_HZ;
    while (!(process.exiting.load() && process.live_threads.load() == 0)) {
        if (sched::ticks() >= deadline)
            return std::nullopt;
        sched::sleep_ticks(1);
    }
    return process.exit_code;
}

} // namespace

int run_pair(Context& ctx, std::span<const char* const> measuring, Rights measuring_rights,
             std::span<const char* const> partner, Rights partner_rights,
             Options options) {
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
        other = start(ctx, partner[0], partner, options.partner_cpu);
    }
    g_endpoint_rights = measuring_rights;
    auto measurer = start(ctx, measuring[0], measuring, options.measuring_cpu);
    g_endpoint = nullptr;
    if (!measurer || (!partner.empty() && !other))
        return 0;
    std::optional<int> code = wait_for_exit(*measurer, options.deadline_seconds);
    EXPECT(ctx, code.has_value());
    if (other) {
        std::optional<int> partner_code = wait_for_exit(*other, options.deadline_seconds);
        EXPECT(ctx, partner_code == 0);
        if (partner_code != 0)
            return 0;
    }
    return code.value_or(0);
}

uint64_t hand_offs() {
    uint64_t total = 0;
    for (uint32_t cpu = 0; cpu < sched::online_cpus(); ++cpu)
        total += sched::cpu_stats(cpu).syscall_hand_offs;
    return total;
}

} // namespace kernel::test::ring3_pair
