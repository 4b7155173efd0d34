// Parts of test=sched that show where threads run: a new thread goes to the least loaded CPU,
// idle CPUs steal from a CPU that cannot run its own queue, yield runs the next ready thread,
// and a sleep lasts at least its ticks.
#include <atomic>
#include <bit>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/wait_queue.h"
#include "kernel/test/sched_suite_parts.h"

namespace kernel::test {

namespace {

using sched::Semaphore;

constexpr uint32_t NO_CPU = ~0u;

// Sleeps a tick at a time until `done()` or `ticks` have passed; whether it got there.
template <typename Done> bool poll_until(Done done, uint64_t ticks) {
    uint64_t deadline = sched::ticks() + ticks;
    while (!done()) {
        if (sched::ticks() >= deadline)
            return false;
        sched::sleep_ticks(1);
    }
    return true;
}

// ---- placement: each new thread goes to the least loaded CPU ----

struct Placed {
    std::atomic<uint32_t> first_cpu{NO_CPU};
    std::atomic<bool>* stop = nullptr;
    Semaphore* done = nullptr;
};

// Busy until told to stop, so its CPU stays loaded while the next threads are placed.
void placed_spinner(void* raw) {
    auto* p = static_cast<Placed*>(raw);
    p->first_cpu.store(sched::current_cpu());
    while (!p->stop->load())
        cpu::pause();
    p->done->up();
}

void new_threads_go_to_the_least_loaded_cpu(Context& ctx, uint32_t cpus) {
    // CPU 0 runs this test; every other CPU is idle. Each spinner makes one more CPU busy, so
    // cpus - 1 unpinned spinners must land on cpus - 1 different CPUs, none of them CPU 0.
    // Threads of the tests before may still be switching out: start from idle CPUs.
    EXPECT(ctx, poll_until(
                    [&] {
                        for (uint32_t c = 1; c < cpus; ++c)
                            if (!sched::cpu_stats(c).idle)
                                return false;
                        return true;
                    },
                    100));
    static Placed placed[sched::MAX_CPUS];
    std::atomic<bool> stop{false};
    Semaphore done;
    uint32_t spinners = cpus - 1;
    for (uint32_t i = 0; i < spinners; ++i) {
        placed[i].first_cpu.store(NO_CPU);
        placed[i].stop = &stop;
        placed[i].done = &done;
        EXPECT(ctx, sched::spawn("placed", placed_spinner, &placed[i]).has_value());
    }
    bool all_ran = poll_until(
        [&] {
            for (uint32_t i = 0; i < spinners; ++i)
                if (placed[i].first_cpu.load() == NO_CPU)
                    return false;
            return true;
        },
        1000);
    stop.store(true);
    for (uint32_t i = 0; i < spinners; ++i)
        done.down();
    EXPECT(ctx, all_ran);
    uint64_t seen = 0;
    bool distinct = true;
    for (uint32_t i = 0; i < spinners; ++i) {
        uint32_t cpu = placed[i].first_cpu.load();
        if (cpu == 0 || cpu >= cpus || (seen & (1ull << cpu))) {
            distinct = false;
            continue;
        }
        seen |= 1ull << cpu;
    }
    kprintln("selftest sched: {} unpinned spinners placed on {} different cpus other than cpu 0",
             spinners, std::popcount(seen));
    EXPECT(ctx, distinct);
}

// ---- stealing: idle CPUs run what a blocked CPU has queued ----

struct Crowded {
    std::atomic<bool> blocking{false};
    std::atomic<bool> release{false};
    std::atomic<uint32_t> finished{0};
    Semaphore* done = nullptr;
};

// Keeps its CPU with interrupts off, so nothing queued there can run unless another CPU takes
// it. Bounded by the TSC (10 s) so a broken steal fails the test instead of hanging the CPU.
void crowded_cpu_blocker(void* raw) {
    auto* c = static_cast<Crowded*>(raw);
    uint64_t deadline = cpu::rdtsc() + 10 * x86_64::lapic::calibration().tsc_hz;
    cpu::disable_interrupts();
    c->blocking.store(true);
    while (!c->release.load() && cpu::rdtsc() < deadline)
        cpu::pause();
    cpu::enable_interrupts();
    c->done->up();
}

struct Queued {
    uint32_t cpu = NO_CPU;
    Crowded* crowded = nullptr;
};

void queued_worker(void* raw) {
    auto* q = static_cast<Queued*>(raw);
    q->cpu = sched::current_cpu();
    q->crowded->finished.fetch_add(1);
    q->crowded->done->up();
}

void idle_cpus_steal_from_a_blocked_cpu(Context& ctx, uint32_t cpus) {
    constexpr uint32_t QUEUED = 4;
    uint32_t crowded_cpu = cpus - 1;
    Crowded crowded;
    Semaphore done;
    crowded.done = &done;
    EXPECT(ctx, sched::spawn("blocker", crowded_cpu_blocker, &crowded, crowded_cpu).has_value());
    EXPECT(ctx, poll_until([&] { return crowded.blocking.load(); }, 1000));
    static Queued queued[QUEUED];
    for (auto& q : queued) {
        q = {NO_CPU, &crowded};
        auto thread = sched::create_thread("queued", queued_worker, &q);
        EXPECT(ctx, thread.has_value());
        if (thread)
            sched::start_thread_on(**thread, crowded_cpu);
    }
    // A CPU leaves the last ready thread of another CPU's queue alone (it is about to run it),
    // so all but one must be stolen; an idle CPU looks on its next tick at the latest.
    bool stolen = poll_until([&] { return crowded.finished.load() >= QUEUED - 1; }, 500);
    crowded.release.store(true);
    for (uint32_t i = 0; i < QUEUED + 1; ++i)
        done.down();
    uint32_t elsewhere = 0;
    for (const auto& q : queued)
        elsewhere += q.cpu != crowded_cpu;
    kprintln("selftest sched: {} of {} threads queued on blocked cpu {} were stolen by other cpus",
             elsewhere, QUEUED, crowded_cpu);
    EXPECT(ctx, stolen);
    EXPECT(ctx, elsewhere >= QUEUED - 1);
}

// ---- yield runs the next ready thread ----

struct YieldPair {
    std::atomic<uint32_t> started{0};
    std::atomic<uint64_t> turns[2] = {};
    std::atomic<bool> finished[2] = {};
    std::atomic<uint32_t> missed{0};
    Semaphore* done = nullptr;
};
struct Yielder {
    YieldPair* pair;
    int self;
};
constexpr uint64_t YIELD_ROUNDS = 200;

// Two of these share a CPU and never block, so whenever one runs the other is ready: every
// yield must switch away and back (the thread's switches_in grows). A preemption in between
// only adds switches, so it cannot hide a yield that returned without switching.
void yielder(void* raw) {
    auto* y = static_cast<Yielder*>(raw);
    YieldPair& p = *y->pair;
    sched::Thread& self = *sched::current();
    int other = 1 - y->self;
    // Until both run, a yield may find nobody else ready: the first one waits for the second.
    p.started.fetch_add(1);
    while (p.started.load() < 2)
        sched::yield();
    for (uint64_t round = 0; round < YIELD_ROUNDS; ++round) {
        p.turns[y->self].fetch_add(1);
        uint64_t switched_in = self.switches_in;
        sched::yield();
        if (!p.finished[other].load() && self.switches_in == switched_in)
            p.missed.fetch_add(1);
    }
    p.finished[y->self].store(true);
    p.done->up();
}

void yield_runs_the_next_ready_thread(Context& ctx, uint32_t cpus) {
    YieldPair pair;
    Semaphore done;
    pair.done = &done;
    Yielder yielders[2] = {{&pair, 0}, {&pair, 1}};
    uint32_t cpu = cpus - 1;
    for (auto& y : yielders)
        EXPECT(ctx, sched::spawn("yielder", yielder, &y, cpu).has_value());
    done.down();
    done.down();
    kprintln("selftest sched: two threads yielding on cpu {}: {} and {} turns, {} yields that "
             "did not run the other",
             cpu, pair.turns[0].load(), pair.turns[1].load(), pair.missed.load());
    EXPECT(ctx, pair.turns[0].load() == YIELD_ROUNDS && pair.turns[1].load() == YIELD_ROUNDS);
    EXPECT(ctx, pair.missed.load() == 0);
}

// ---- a sleep lasts at least its ticks, on CPU 0 and on another CPU ----

struct Sleeper {
    uint64_t slept = 0;
    Semaphore* done = nullptr;
};
constexpr uint64_t SLEEP_TICKS = 10;

uint64_t measure_sleep() {
    uint64_t before = sched::ticks();
    sched::sleep_ticks(SLEEP_TICKS);
    return sched::ticks() - before;
}

void sleeper(void* raw) {
    auto* s = static_cast<Sleeper*>(raw);
    s->slept = measure_sleep();
    s->done->up();
}

void sleep_lasts_its_ticks(Context& ctx, uint32_t cpus) {
    Semaphore done;
    Sleeper elsewhere{0, &done};
    EXPECT(ctx, sched::spawn("sleeper", sleeper, &elsewhere, cpus - 1).has_value());
    uint64_t here = measure_sleep();
    done.down();
    kprintln("selftest sched: sleep_ticks({}) slept {} ticks on cpu 0 and {} on cpu {}",
             SLEEP_TICKS, here, elsewhere.slept, cpus - 1);
    EXPECT(ctx, here >= SLEEP_TICKS && elsewhere.slept >= SLEEP_TICKS);
}

} // namespace

void balancing_suite_part(Context& ctx) {
    uint32_t cpus = sched::online_cpus();
    yield_runs_the_next_ready_thread(ctx, cpus);
    sleep_lasts_its_ticks(ctx, cpus);
    if (cpus < 2) {
        kprintln("selftest sched: one cpu online: no placement or stealing to show");
        return;
    }
    new_threads_go_to_the_least_loaded_cpu(ctx, cpus);
    idle_cpus_steal_from_a_blocked_cpu(ctx, cpus);
}

} // namespace kernel::test
