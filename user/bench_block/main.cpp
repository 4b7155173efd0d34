// The block benchmark's MinimalOS half (`make bench`, group block: bench/block/run-bench): a
// client of the block service that reads the disk in the cases of bench/block/cases.h,
// sequential and random, 4 KiB and 64 KiB blocks, at queue depth 1 and 32, for a fixed time
// each, and prints MiB/s and IOPS. Depth 32 is 32 threads, each with one Read call outstanding
// at a time into its own 64 KiB of the attached buffer, so the driver has 32 requests in its
// device at once (its log says so). Wall-clock time from RDTSC and the calibrated TSC rate
// init passes on, from the moment every stream's thread exists. Every sector read is checked against the image's pattern. Arguments: the
// disk's sectors and the milliseconds per case. Exits with the number of failed or wrong reads
// (0: every figure stands on correct data).
#include <atomic>
#include <optional>

#include "abi/block.h"
#include "abi/init.h"
#include "bench/block/cases.h"
#include "user/libmnos/clock.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/rpc.h"
#include "user/libmnos/thread.h"

namespace {

using mnos::CapSlot;
namespace block = mnos::block;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot BLOCK{mnos::CNODE_SLOTS - 1};
constexpr uint64_t BUFFER_BYTES = uint64_t(BLOCK_BENCH_MAX_DEPTH) * BLOCK_BENCH_MAX_BYTES;
constexpr uint64_t BUFFER_PAGES = BUFFER_BYTES / 4096;
static_assert(BUFFER_PAGES <= block::MAX_BUFFER_PAGES);
static_assert(BLOCK_BENCH_MAX_BYTES / BLOCK_BENCH_SECTOR <= block::MAX_SECTORS);
static_assert(BLOCK_BENCH_MAX_DEPTH <= 62, "one start bit per stream");

uint8_t* g_buffer;

uint64_t parse(const char* text) {
    uint64_t value = 0;
    for (; text && *text >= '0' && *text <= '9'; ++text)
        value = value * 10 + uint64_t(*text - '0');
    return value;
}

// One case in progress, shared by its streams.
struct Run {
    const block_bench_case* test = nullptr;
    uint64_t blocks = 0;   // of the case's size on the disk
    CapSlot start = CapSlot::none(); // bit i: stream i may begin (all at once)
    uint64_t deadline = 0; // TSC: no stream starts a read after it (set before the start)
    std::atomic<uint64_t> next{0}; // the sequential cases' next block
    std::atomic<uint64_t> reads{0}, wrong{0}, failed{0};
};

struct Stream {
    Run* run;
    uint64_t index; // its 64 KiB of the buffer
    uint64_t seed;
};

// One request in flight at a time until the deadline, as one of the case's `depth`, from the
// moment every stream has started (each waits for its own bit of the start notification, which
// the one signal of every bit wakes together), and at least one.
void stream(void* argument) {
    Stream& s = *static_cast<Stream*>(argument);
    Run& run = *s.run;
    uint32_t bytes = run.test->block_bytes;
    uint64_t sectors = bytes / BLOCK_BENCH_SECTOR;
    uint64_t offset = s.index * BLOCK_BENCH_MAX_BYTES;
    if (!sys::wait_notification(run.start, uint64_t(1) << s.index)) {
        run.failed.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    do {
        uint64_t block = run.test->random ? block_bench_next_random(&s.seed) % run.blocks
                                          : run.next.fetch_add(1, std::memory_order_relaxed) %
                                                run.blocks;
        uint64_t sector = block * sectors;
        auto read = rpc::call(BLOCK, block::Read, {sector, sectors, offset});
        if (!read || read->words[0] != bytes) {
            run.failed.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        if (!block_bench_pattern_holds(g_buffer + offset, sector, bytes))
            run.wrong.fetch_add(1, std::memory_order_relaxed);
        run.reads.fetch_add(1, std::memory_order_relaxed);
    } while (mnos::clock::rdtsc() < run.deadline);
}

// Runs one case for `ms` and prints its line; returns its failed and wrong reads.
uint64_t run_case(const block_bench_case& test, uint64_t capacity, uint64_t ms, uint64_t hz,
                  uint64_t& checked) {
    Run run;
    run.test = &test;
    run.blocks = capacity / (test.block_bytes / BLOCK_BENCH_SECTOR);
    Stream streams[BLOCK_BENCH_MAX_DEPTH];
    std::optional<mnos::Thread> threads[BLOCK_BENCH_MAX_DEPTH];
    auto start_signal = sys::create_notification(mnos::service_caps::BUDGET);
    if (!start_signal) {
        mnos::println("block-bench: FAIL {}: no notification: {}", test.name,
                      mnos::error_name(start_signal.error()));
        return 1;
    }
    run.start = *start_signal;
    uint64_t every_stream = 0;
    for (uint32_t i = 0; i < test.depth; ++i) {
        streams[i] = {&run, i, 0x9E3779B97F4A7C15ull * (i + 1)};
        auto started = mnos::Thread::start(stream, &streams[i]);
        if (!started) {
            mnos::println("block-bench: FAIL {}: no thread for stream {}: {}", test.name, i,
                          mnos::error_name(started.error()));
            run.failed.fetch_add(1);
            continue;
        }
        threads[i] = *started;
        every_stream |= uint64_t(1) << i;
    }
    // The clock starts once every thread exists: thread creation is not the disk's time.
    uint64_t start = mnos::clock::rdtsc();
    run.deadline = start + ms * hz / 1000;
    if (every_stream)
        (void)sys::signal(run.start, every_stream);
    for (uint32_t i = 0; i < test.depth; ++i)
        if (threads[i])
            (void)threads[i]->join();
    uint64_t ticks = mnos::clock::rdtsc() - start;
    (void)sys::drop_cap(run.start);
    // In two parts, so that seconds of ticks times 10^9 cannot overflow.
    uint64_t ns = ticks / hz * 1'000'000'000 + ticks % hz * 1'000'000'000 / hz;
    uint64_t mib_tenths = 0, iops = 0;
    block_bench_rates(run.reads, test.block_bytes, ns, &mib_tenths, &iops);
    mnos::println("block-bench: {}: {}.{} MiB/s, {} IOPS ({} reads in {} ms)", test.name,
                  mib_tenths / 10, mib_tenths % 10, iops, run.reads.load(), ns / 1'000'000);
    checked += run.reads;
    if (run.failed)
        mnos::println("block-bench: FAIL {}: {} read(s) failed", test.name, run.failed.load());
    return run.failed + run.wrong;
}

} // namespace

int main(int argc, char** argv) {
    uint64_t expected = argc > 1 ? parse(argv[1]) : 0;
    uint64_t ms = argc > 2 ? parse(argv[2]) : 0;
    uint64_t hz = mnos::clock::tsc_hz();
    if (expected == 0 || ms == 0 || hz == 0) {
        mnos::println("block-bench: FAIL needs the disk's sectors, ms per case and the TSC rate");
        return 1;
    }
    auto frame = sys::alloc_memory(mnos::service_caps::BUDGET, BUFFER_PAGES);
    auto mapped = frame ? mnos::map_shared(*frame, BUFFER_PAGES, true) : lib::fail(frame.error());
    if (!mapped) {
        mnos::println("block-bench: FAIL no buffer: {}", mnos::error_name(mapped.error()));
        return 1;
    }
    g_buffer = static_cast<uint8_t*>(*mapped);
    if (!mnos::names::wait_for(block::SERVICE, BLOCK) ||
        !rpc::call(BLOCK, block::Attach, {},
                   {*frame, mnos::Rights::Read | mnos::Rights::Write | mnos::Rights::Grant}) ||
        !rpc::call(BLOCK, block::Watch, {}, {mnos::service_caps::SELF, mnos::Rights::Read})) {
        mnos::println("block-bench: FAIL no block service to attach to");
        return 1;
    }
    auto info = rpc::call(BLOCK, block::Info, {});
    uint64_t capacity = info ? info->words[0] : 0;
    if (capacity != expected) {
        mnos::println("block-bench: FAIL the disk has {} sectors, not {}", capacity, expected);
        return 1;
    }
    mnos::println("block-bench: {} sectors, {} ms per case", capacity, ms);
    uint64_t bad = 0, checked = 0;
    for (const block_bench_case& test : BLOCK_BENCH_CASES)
        bad += run_case(test, capacity, ms, hz, checked);
    mnos::println("block-bench: {} reads checked, {} wrong", checked, bad);
    return bad == 0 ? 0 : 1;
}
