// test=sched: threads on every CPU, preemption, FPU/SSE state across switches, a lock-protected
// counter from every CPU, and a cross-CPU ping-pong stress.
#include <atomic>

#include "kernel/sched/scheduler.h"
#include "kernel/sched/wait_queue.h"
#include "kernel/sync/spinlock.h"
#include "kernel/test/sched_suite_parts.h"
#include "kernel/test/suites.h"

namespace kernel::test {

namespace {

using sched::Semaphore;

// ---- 64 threads that work and sleep ----

constexpr int WORKERS = 64;
std::atomic<uint64_t> g_worker_rounds{0};

struct WorkerArgs {
    Semaphore* done;
    int index;
};
WorkerArgs g_worker_args[WORKERS];

void worker(void* raw) {
    auto* args = static_cast<WorkerArgs*>(raw);
    for (int round = 0; round < 4; ++round) {
        volatile uint64_t sink = 0;
        for (int i = 0; i < 20000; ++i)
            sink = sink + uint64_t(i) * uint64_t(args->index);
        sched::sleep_ticks(1 + uint64_t(args->index % 3));
        g_worker_rounds.fetch_add(1);
    }
    args->done->up();
}

void workers_run_on_every_cpu(Context& ctx) {
    Semaphore done;
    // One worker pinned to each CPU guarantees every CPU runs threads even when the host starves
    // some virtual CPUs; the rest go wherever load balancing puts them.
    uint32_t online = sched::online_cpus();
    for (int i = 0; i < WORKERS; ++i) {
        g_worker_args[i] = {&done, i};
        uint32_t cpu = uint32_t(i) < online ? uint32_t(i) : sched::ANY_CPU;
        EXPECT(ctx, sched::spawn("worker", worker, &g_worker_args[i], cpu).has_value());
    }
    for (int i = 0; i < WORKERS; ++i)
        done.down();
    EXPECT(ctx, g_worker_rounds.load() == uint64_t(WORKERS) * 4);
    uint32_t cpus = sched::online_cpus();
    for (uint32_t c = 0; c < cpus; ++c) {
        auto stats = sched::cpu_stats(c);
        kprintln("selftest sched: cpu {} ran {} threads, {} context switches", c, stats.threads_run,
                 stats.switches);
        EXPECT(ctx, stats.threads_run > 0);
    }
}

// ---- preemption: two CPU-bound threads pinned to one CPU both progress ----

struct Spinner {
    std::atomic<uint64_t> iterations{0};
    uint64_t deadline = 0;
    uint64_t switched_in = 0; // recorded by the thread itself before it ends
    Semaphore* done = nullptr;
};
Spinner g_spinners[2];

void spin_until_deadline(void* raw) {
    auto* s = static_cast<Spinner*>(raw);
    while (sched::ticks() < s->deadline)
        s->iterations.fetch_add(1, std::memory_order_relaxed); // never yields
    s->switched_in = sched::current()->switches_in;
    s->done->up();
}

void cpu_bound_threads_are_preempted(Context& ctx) {
    Semaphore done;
    uint32_t cpu = sched::online_cpus() - 1;
    uint64_t deadline = sched::ticks() + 50; // half a second of 10 ms quanta
    for (int i = 0; i < 2; ++i) {
        g_spinners[i].deadline = deadline;
        g_spinners[i].done = &done;
        EXPECT(ctx, sched::spawn("spinner", spin_until_deadline, &g_spinners[i], cpu).has_value());
    }
    done.down();
    done.down();
    uint64_t a = g_spinners[0].iterations.load(), b = g_spinners[1].iterations.load();
    uint64_t switched_in[2] = {g_spinners[0].switched_in, g_spinners[1].switched_in};
    kprintln("selftest sched: two spinners pinned to cpu {}: {} and {} iterations, switched in {} "
             "and {} times",
             cpu, a, b, switched_in[0], switched_in[1]);
    EXPECT(ctx, a > 0 && b > 0);
    // Neither yields, so being switched in again and again is preemption at work.
    EXPECT(ctx, switched_in[0] >= 3 && switched_in[1] >= 3);
}

// ---- SSE registers survive preemption ----

// Loads xmm0..xmm15 with seed..seed+15, spins, and stores them back to `out`. Lives in its own
// section: the kernel is built without SSE and kernel/no-fpu-instructions allows only this test.
[[gnu::noinline, gnu::section(".text.sse_selftest")]] void sse_round(uint64_t seed, uint64_t spins,
                                                                    uint64_t (&out)[16]) {
    // The compiler never allocates xmm registers in the kernel (-mno-sse), so this asm owns them;
    // it reads `seed`/`spins` and writes exactly the 16 words of `out`.
    asm volatile("mov %[seed], %%rax\n\t"
                 "movq %%rax, %%xmm0\n\t  inc %%rax\n\t movq %%rax, %%xmm1\n\t  inc %%rax\n\t"
                 "movq %%rax, %%xmm2\n\t  inc %%rax\n\t movq %%rax, %%xmm3\n\t  inc %%rax\n\t"
                 "movq %%rax, %%xmm4\n\t  inc %%rax\n\t movq %%rax, %%xmm5\n\t  inc %%rax\n\t"
                 "movq %%rax, %%xmm6\n\t  inc %%rax\n\t movq %%rax, %%xmm7\n\t  inc %%rax\n\t"
                 "movq %%rax, %%xmm8\n\t  inc %%rax\n\t movq %%rax, %%xmm9\n\t  inc %%rax\n\t"
                 "movq %%rax, %%xmm10\n\t inc %%rax\n\t movq %%rax, %%xmm11\n\t inc %%rax\n\t"
                 "movq %%rax, %%xmm12\n\t inc %%rax\n\t movq %%rax, %%xmm13\n\t inc %%rax\n\t"
                 "movq %%rax, %%xmm14\n\t inc %%rax\n\t movq %%rax, %%xmm15\n\t"
                 "mov %[spins], %%rcx\n"
                 "1:\n\t dec %%rcx\n\t jnz 1b\n\t"
                 "movq %%xmm0, 0(%[out])\n\t   movq %%xmm1, 8(%[out])\n\t"
                 "movq %%xmm2, 16(%[out])\n\t  movq %%xmm3, 24(%[out])\n\t"
                 "movq %%xmm4, 32(%[out])\n\t  movq %%xmm5, 40(%[out])\n\t"
                 "movq %%xmm6, 48(%[out])\n\t  movq %%xmm7, 56(%[out])\n\t"
                 "movq %%xmm8, 64(%[out])\n\t  movq %%xmm9, 72(%[out])\n\t"
                 "movq %%xmm10, 80(%[out])\n\t movq %%xmm11, 88(%[out])\n\t"
                 "movq %%xmm12, 96(%[out])\n\t movq %%xmm13, 104(%[out])\n\t"
                 "movq %%xmm14, 112(%[out])\n\t movq %%xmm15, 120(%[out])\n\t"
                 :
                 : [seed] "r"(seed), [spins] "r"(spins), [out] "r"(out)
                 : "rax", "rcx", "memory");
}

struct SseArgs {
    uint64_t seed;
    uint64_t rounds_ok = 0;
    uint64_t rounds = 0;
    uint64_t switches_before = 0, switches_after = 0;
    Semaphore* done = nullptr;
};
SseArgs g_sse[4];

void sse_checker(void* raw) {
    auto* a = static_cast<SseArgs*>(raw);
    a->switches_before = sched::current()->switches_in;
    for (int r = 0; r < 20; ++r) {
        uint64_t out[16];
        sse_round(a->seed + uint64_t(r) * 100, 3'000'000, out);
        bool ok = true;
        for (int i = 0; i < 16; ++i)
            ok &= out[i] == a->seed + uint64_t(r) * 100 + uint64_t(i);
        a->rounds_ok += ok;
        ++a->rounds;
    }
    a->switches_after = sched::current()->switches_in;
    a->done->up();
}

void sse_state_survives_preemption(Context& ctx) {
    Semaphore done;
    uint32_t cpu = 0;
    for (int i = 0; i < 4; ++i) {
        g_sse[i].seed = 0x1000'0000ull * uint64_t(i + 1);
        g_sse[i].done = &done;
        EXPECT(ctx, sched::spawn("sse", sse_checker, &g_sse[i], cpu).has_value());
    }
    for (int i = 0; i < 4; ++i)
        done.down();
    for (auto& a : g_sse) {
        kprintln("selftest sched: sse thread {:#x}: {}/{} rounds intact over {} switches", a.seed,
                 a.rounds_ok, a.rounds, a.switches_after - a.switches_before);
        EXPECT(ctx, a.rounds == 20 && a.rounds_ok == a.rounds);
        EXPECT(ctx, a.switches_after - a.switches_before >= 3); // really was preempted
    }
}

// ---- a spinlock-protected counter incremented from every CPU ----

IrqSpinlock g_counter_lock;
uint64_t g_counter = 0;
constexpr uint64_t TOTAL_INCREMENTS = 64000; // split over the threads, so the work is fixed
uint64_t g_increments_each = 0;

void increment(void* raw) {
    for (uint64_t i = 0; i < g_increments_each; ++i) {
        Guard guard(g_counter_lock);
        ++g_counter;
    }
    static_cast<Semaphore*>(raw)->up();
}

void counter_is_exact_across_cpus(Context& ctx) {
    Semaphore done;
    uint32_t cpus = sched::online_cpus();
    constexpr uint32_t PER_CPU = 2;
    g_increments_each = TOTAL_INCREMENTS / (cpus * PER_CPU);
    for (uint32_t c = 0; c < cpus; ++c)
        for (uint32_t k = 0; k < PER_CPU; ++k)
            EXPECT(ctx, sched::spawn("counter", increment, &done, c).has_value());
    for (uint32_t i = 0; i < cpus * PER_CPU; ++i)
        done.down();
    uint64_t expected = g_increments_each * cpus * PER_CPU;
    kprintln("selftest sched: counter {} after {} increments from {} cpus", g_counter, expected,
             cpus);
    EXPECT(ctx, g_counter == expected);
}

// ---- stress: ping-pong between two CPUs, 10,000 switches ----

constexpr uint64_t ROUND_TRIPS = 5000;
constexpr uint64_t ANSWER_MASK = 0x5a5a'0000'0000'5a5aull;

// Each round trip carries its sequence number out and a value derived from it back, so a lost,
// repeated or early wake-up shows as a wrong number on one side.
struct PingPong {
    Semaphore ping, pong;
    uint64_t request = 0, answer = 0; // handed over by the semaphores
    std::atomic<uint64_t> served{0};
    std::atomic<uint64_t> wrong{0};
    Semaphore* done;
};

void ponger(void* raw) {
    auto* p = static_cast<PingPong*>(raw);
    for (uint64_t i = 0; i < ROUND_TRIPS; ++i) {
        p->ping.down();
        if (p->request != i)
            p->wrong.fetch_add(1);
        p->answer = p->request ^ ANSWER_MASK;
        p->served.fetch_add(1);
        p->pong.up();
    }
    p->done->up();
}

void pinger(void* raw) {
    auto* p = static_cast<PingPong*>(raw);
    for (uint64_t i = 0; i < ROUND_TRIPS; ++i) {
        p->request = i;
        p->ping.up();
        p->pong.down();
        if (p->answer != (i ^ ANSWER_MASK))
            p->wrong.fetch_add(1);
    }
    p->done->up();
}

void ping_pong_stress(Context& ctx) {
    Semaphore done;
    PingPong pp;
    pp.done = &done;
    uint32_t cpus = sched::online_cpus();
    uint64_t before = 0;
    for (uint32_t c = 0; c < cpus; ++c)
        before += sched::cpu_stats(c).switches;
    EXPECT(ctx, sched::spawn("pinger", pinger, &pp, 0).has_value());
    EXPECT(ctx, sched::spawn("ponger", ponger, &pp, cpus > 1 ? 1 : 0).has_value());
    done.down();
    done.down();
    uint64_t after = 0;
    for (uint32_t c = 0; c < cpus; ++c)
        after += sched::cpu_stats(c).switches;
    kprintln("selftest sched: ping-pong {} round trips, {} context switches, {} wrong answers",
             pp.served.load(), after - before, pp.wrong.load());
    EXPECT(ctx, pp.served.load() == ROUND_TRIPS);
    EXPECT(ctx, pp.wrong.load() == 0);
    EXPECT(ctx, after - before >= 2 * ROUND_TRIPS);
}

} // namespace

void sched_suite(Context& ctx) {
    kprintln("selftest sched: {} cpus online", sched::online_cpus());
    workers_run_on_every_cpu(ctx);
    cpu_bound_threads_are_preempted(ctx);
    sse_state_survives_preemption(ctx);
    counter_is_exact_across_cpus(ctx);
    ping_pong_stress(ctx);
    balancing_suite_part(ctx);
    tlb_shootdown_suite_part(ctx);
}

} // namespace kernel::test
