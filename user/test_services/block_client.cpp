// The block service's boot test client (tests/boot/block_test.py, user/etc/test/block.manifest):
// reads the whole disk back through "block" from several threads at once and checks every
// sector's pattern (block_pattern.h), writes sectors the host checks after QEMU exits, sends
// the requests the service must refuse, and kills the driver (through init's control protocol)
// while a read is in flight: that read fails, init restarts the driver, and the retried read
// succeeds. Arguments: the disk's sectors, the first sector to write, and optionally a sector
// where QEMU injects an I/O error (tests/boot, block-device-error): then only the device error's
// path is checked; or "stall" (tests/boot, block-timeout): the test has QEMU hold one read
// forever, which must fail with Timeout while the disk serves others. Exits with its failure
// count.
#include <optional>

#include "abi/block.h"
#include "abi/init.h"
#include "abi/init_control.h"
#include "lib/string_view.h"
#include "user/libmnos/clock.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/thread.h"
#include "user/test_services/block_pattern.h"

namespace {

using mnos::CapSlot;
using mnos::Error;
namespace block = mnos::block;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot BLOCK{mnos::CNODE_SLOTS - 1};
constexpr uint64_t BUFFER_PAGES = 16;
constexpr uint64_t BUFFER_BYTES = BUFFER_PAGES * 4096;
constexpr uint64_t SECTOR = block::SECTOR_SIZE;
constexpr size_t READERS = 4;
constexpr uint64_t READER_SECTORS = BUFFER_BYTES / SECTOR / READERS; // each reader's share
constexpr uint64_t WRITTEN_SECTORS = 8;

uint8_t* g_buffer;
CapSlot g_frame;
int g_failures = 0;

void check(bool ok, const char* what) {
    if (!ok)
        ++g_failures;
    mnos::println("block-client: {} {}", ok ? "PASS" : "FAIL", what);
}

uint64_t parse(const char* text) {
    uint64_t value = 0;
    for (; text && *text >= '0' && *text <= '9'; ++text)
        value = value * 10 + uint64_t(*text - '0');
    return value;
}

lib::Result<rpc::Answer> request(uint64_t method, uint64_t sector, uint64_t count,
                                 uint64_t offset) {
    return rpc::call(BLOCK, method, {sector, count, offset});
}

// Attaches the buffer: Zero when the device reads and writes it without a copy (the driver
// pinned it), Copied when the driver copies through its own memory, or the error.
enum class Attached { Zero, Copied };
lib::Result<Attached> attach() {
    auto answer = TRY(rpc::call(BLOCK, block::Attach, {},
                                {g_frame, mnos::Rights::Read | mnos::Rights::Write |
                                              mnos::Rights::Grant}));
    return (answer.words[0] & block::ATTACH_DIRECT) ? Attached::Zero : Attached::Copied;
}
Attached g_expected = Attached::Zero; // what the first Attach gave: every later one must match

// Attaches the buffer and names this process for the driver to watch.
bool attach_and_watch() {
    auto attached = attach();
    return attached && *attached == g_expected &&
           rpc::call(BLOCK, block::Watch, {}, {mnos::service_caps::SELF, mnos::Rights::Read});
}

// Looks "block" up and attaches the buffer, retrying while the service is (re)starting:
// a lookup can still find a driver that has just died, whose endpoint then refuses the attach.
bool connect() {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        (void)sys::drop_cap(BLOCK);
        if (mnos::names::lookup(block::SERVICE, BLOCK) && attach_and_watch())
            return true;
        (void)sys::sleep(10);
    }
    return false;
}

// Whether sectors [first, first + count) in the buffer at `offset` hold their pattern.
bool pattern_holds(uint64_t first, uint64_t count, uint64_t offset, bool written) {
    for (uint64_t i = 0; i < count; ++i)
        // Sound: the buffer is 8-byte aligned (page-aligned) and each sector 512 bytes of it.
        if (!block_pattern::matches(first + i,
                                    reinterpret_cast<const uint64_t*>(g_buffer + offset +
                                                                      i * SECTOR),
                                    written))
            return false;
    return true;
}

struct Reader {
    size_t index = 0;
    uint64_t first = 0, end = 0; // the sectors it checks
    uint64_t bad = 0;            // sectors that failed, or requests
};

// Reads its range in pieces into its own quarter of the buffer, concurrently with the others.
void read_range(void* argument) {
    Reader& r = *static_cast<Reader*>(argument);
    uint64_t offset = r.index * READER_SECTORS * SECTOR;
    for (uint64_t sector = r.first; sector < r.end; sector += READER_SECTORS) {
        uint64_t count = r.end - sector < READER_SECTORS ? r.end - sector : READER_SECTORS;
        auto read = request(block::Read, sector, count, offset);
        if (!read || read->words[0] != count * SECTOR || !pattern_holds(sector, count, offset, false))
            ++r.bad;
    }
}

void read_everything(uint64_t capacity) {
    Reader readers[READERS];
    std::optional<mnos::Thread> threads[READERS];
    uint64_t share = (capacity + READERS - 1) / READERS;
    for (size_t i = 0; i < READERS; ++i) {
        uint64_t first = i * share < capacity ? i * share : capacity;
        uint64_t end = first + share < capacity ? first + share : capacity;
        readers[i] = {i, first, end, 0};
        if (auto started = mnos::Thread::start(read_range, &readers[i]))
            threads[i] = *started;
    }
    uint64_t bad = 0;
    for (size_t i = 0; i < READERS; ++i) {
        if (!threads[i] || !threads[i]->join())
            ++bad;
        bad += readers[i].bad;
    }
    check(bad == 0, "every sector reads back its pattern, from 4 threads at once");
}

void write_and_flush(uint64_t first) {
    for (uint64_t i = 0; i < WRITTEN_SECTORS; ++i)
        // Sound: as in pattern_holds.
        block_pattern::fill(first + i, reinterpret_cast<uint64_t*>(g_buffer + i * SECTOR), true);
    auto written = request(block::Write, first, WRITTEN_SECTORS, 0);
    check(written && written->words[0] == WRITTEN_SECTORS * SECTOR, "8 sectors are written");
    check(rpc::call(BLOCK, block::Flush, {}).has_value(), "the disk is flushed");
    __builtin_memset(g_buffer, 0, WRITTEN_SECTORS * SECTOR);
    auto read = request(block::Read, first, WRITTEN_SECTORS, 0);
    check(read && pattern_holds(first, WRITTEN_SECTORS, 0, true),
          "the written sectors read back as written");
}

void refusals(uint64_t capacity) {
    check(request(block::Read, capacity, 1, 0).error() == Error::Overflow,
          "a read past the end of the disk is refused (Overflow)");
    check(request(block::Read, capacity - 1, 2, 0).error() == Error::Overflow,
          "a read running over the end is refused (Overflow)");
    check(request(block::Write, ~uint64_t(0), 1, 0).error() == Error::Overflow,
          "a write at sector 2^64-1 is refused (Overflow)");
    check(request(block::Read, 0, 0, 0).error() == Error::InvalidArgument,
          "a read of no sectors is refused (InvalidArgument)");
    check(request(block::Read, 0, block::MAX_SECTORS + 1, 0).error() == Error::InvalidArgument,
          "an oversized read is refused (InvalidArgument)");
    check(request(block::Read, 0, 1, 100).error() == Error::InvalidArgument,
          "a misaligned buffer offset is refused (InvalidArgument)");
    check(request(block::Read, 0, 16, BUFFER_BYTES - 4 * SECTOR).error() == Error::BadAddress,
          "a read that does not fit the buffer is refused (BadAddress)");
    check(rpc::call(BLOCK, 99, {}).error() == Error::InvalidArgument,
          "an unknown method is refused (InvalidArgument)");
}

// Detach gives the client's place in the driver's table back: more attach-detach rounds than
// the table has places all succeed, a read between them is refused, and one after them works.
void detach_and_reattach() {
    constexpr int ROUNDS = 40; // the driver has places for 32 clients
    int rounds = 0;
    for (; rounds < ROUNDS; ++rounds) {
        if (!rpc::call(BLOCK, block::Detach, {}))
            break;
        if (rounds == 0)
            check(request(block::Read, 0, 1, 0).error() == Error::NoSlot,
                  "a read after Detach is refused (NoSlot)");
        // The same way each time: with zero copy a pin a Detach failed to release would run
        // the device's 40 out within these rounds, and the attach would fall back to copying.
        if (auto attached = attach(); !attached || *attached != g_expected)
            break;
    }
    check(rounds == ROUNDS, "40 detach and attach rounds all succeed (32 places, each given back)");
    check(rpc::call(BLOCK, block::Attach, {},
                    {g_frame, mnos::Rights::Read | mnos::Rights::Write | mnos::Rights::Grant})
                  .error() == Error::Exists,
          "a second Attach without Detach is refused (Exists)");
    __builtin_memset(g_buffer, 0, 8 * SECTOR);
    auto read = request(block::Read, 0, 8, 0);
    check(read && pattern_holds(0, 8, 0, false), "a read through the re-attached buffer works");
}

// Watch: the driver gives a client's place back when the process the client named ends. The
// process named here is one the client creates (empty) and kills, so the kernel ends it as it
// would end a client, 40 times over: more rounds than the table's 32 places.
void watch_reclaims() {
    constexpr int ROUNDS = 40;
    (void)rpc::call(BLOCK, block::Detach, {});
    int rounds = 0;
    for (; rounds < ROUNDS; ++rounds) {
        // As in detach_and_reattach: each departure must release its pin too.
        if (auto attached = attach(); !attached || *attached != g_expected)
            break;
        auto process = sys::create_process(mnos::service_caps::BUDGET, "watched", 7);
        if (!process)
            break;
        bool watched = rpc::call(BLOCK, block::Watch, {}, {*process, mnos::Rights::Read})
                           .has_value();
        if (rounds == 0)
            check(rpc::call(BLOCK, block::Watch, {}, {*process, mnos::Rights::Read}).error() ==
                      Error::Exists,
                  "a second Watch is refused (Exists)");
        (void)sys::kill_process(*process);
        (void)sys::drop_cap(*process);
        // The driver's reaper hears of the end from the kernel soon after: then no buffer.
        bool reclaimed = false;
        for (int i = 0; watched && i < 200 && !reclaimed; ++i) {
            reclaimed = request(block::Read, 0, 1, 0).error() == Error::NoSlot;
            if (!reclaimed)
                (void)sys::sleep(5);
        }
        if (!reclaimed)
            break;
    }
    check(rounds == ROUNDS,
          "40 clients whose watched process ended all had their places given back");
    check(rpc::call(BLOCK, block::Watch, {}, {mnos::service_caps::SELF, mnos::Rights::Read})
                  .error() == Error::NoSlot,
          "a Watch without a buffer is refused (NoSlot)");
}

// Reads sector 0.. in full pieces until a read fails, as a client busy with the disk would.
struct Busy {
    Error error = Error::NotFound;
    uint64_t reads = 0;
};
void read_until_failure(void* argument) {
    Busy& busy = *static_cast<Busy*>(argument);
    while (true) {
        auto read = request(block::Read, 0, block::MAX_SECTORS, 0);
        if (!read) {
            busy.error = read.error();
            return;
        }
        ++busy.reads;
    }
}

void kill_during_io() {
    Busy busy;
    auto reader = mnos::Thread::start(read_until_failure, &busy);
    if (!reader) {
        check(false, "a reader thread starts");
        return;
    }
    while (__atomic_load_n(&busy.reads, __ATOMIC_RELAXED) < 3)
        (void)sys::sleep(1);
    auto name = mnos::names::pack(block::SERVICE);
    auto stopped = rpc::call(mnos::service_caps::NAME_SERVICE,
                             mnos::init_control::StopService, *name);
    check(stopped.has_value(), "init stops the driver on request");
    (void)reader->join();
    mnos::println("block-client: the busy read ended with {} after {} reads",
                  mnos::error_name(busy.error), busy.reads);
    check(busy.error == Error::PeerGone || busy.error == Error::EmptySlot,
          "the read in flight when the driver died fails instead of hanging");
    check(connect(), "the restarted driver is found and the buffer attached again");
    __builtin_memset(g_buffer, 0, BUFFER_BYTES);
    auto retried = request(block::Read, 0, block::MAX_SECTORS, 0);
    check(retried && pattern_holds(0, block::MAX_SECTORS, 0, false),
          "the retried read through the restarted driver succeeds");
}

// QEMU fails every read that touches `bad` (blkdebug): the driver passes the device's error
// on, and the disk goes on working.
void device_error(uint64_t bad) {
    auto before = request(block::Read, bad - 1, 1, 0);
    check(before && pattern_holds(bad - 1, 1, 0, false), "the sector before the bad one reads");
    check(request(block::Read, bad, 1, 0).error() == Error::DeviceError,
          "a read of the bad sector fails with the device's error (DeviceError)");
    check(request(block::Read, bad - 4, 8, 0).error() == Error::DeviceError,
          "a read across the bad sector fails with DeviceError");
    auto after = request(block::Read, 0, 8, 0);
    check(after && pattern_holds(0, 8, 0, false), "the disk works on after the error");
}

uint64_t now_ms() { return mnos::clock::monotonic_ns().value_or(0) / 1'000'000; }

// The test suspends the next read in QEMU's block layer once it sees the first line (a blkdebug
// breakpoint: the device has taken the request and never completes it) and resumes it at the
// second. Reads go on until one fails: the suspended one, which must fail with Timeout after the
// driver's timeout (500 ms in user/etc/test/block-timeout.manifest), not hang.
void stalled_read() {
    mnos::println("block-client: suspend the next read");
    lib::Result<rpc::Answer> read = lib::fail(Error::NotFound);
    uint64_t started = 0;
    for (int attempt = 0; attempt < 500; ++attempt) {
        started = now_ms();
        read = request(block::Read, 8, 8, 0);
        if (!read)
            break;
        (void)sys::sleep(10);
    }
    uint64_t waited = now_ms() - started;
    mnos::println("block-client: the suspended read ended with {} after {} ms",
                  read ? "success" : mnos::error_name(read.error()), waited);
    check(!read && read.error() == Error::Timeout && waited >= 400 && waited < 5000,
          "a read the device never completes fails with Timeout after the driver's timeout");
    __builtin_memset(g_buffer, 0, 8 * SECTOR);
    auto after = request(block::Read, 16, 8, 0);
    check(after && pattern_holds(16, 8, 0, false),
          "the disk goes on serving reads while the device holds the stalled one");
    // With zero copy the stalled request keeps the client's place, and with it the pinned
    // buffer, until the device returns it: Detach is Busy meanwhile.
    bool zero = g_expected == Attached::Zero;
    if (zero)
        check(rpc::call(BLOCK, block::Detach, {}).error() == Error::Busy,
              "Detach is Busy while the device holds the timed-out request");
    __builtin_memset(g_buffer, 0, 8 * SECTOR);
    mnos::println("block-client: resume the suspended read");
    // The late completion frees the stalled request's slot (the driver logs it, and the boot
    // test checks that line comes before the next). With zero copy it lands in the client's
    // buffer, at the offset the request named: the device was given that memory, and the
    // driver kept the buffer pinned until the device was done with it. Copied, the buffer is
    // not written by it. The test types the monitor command a key at a time: 2 s leave it
    // ample time.
    (void)sys::sleep(2000);
    if (zero) {
        check(pattern_holds(8, 8, 0, false),
              "the late completion lands in the client's buffer, which stayed pinned");
        check(rpc::call(BLOCK, block::Detach, {}).has_value(),
              "Detach succeeds once the device has returned the request");
        auto again = attach();
        check(again && *again == Attached::Zero, "the buffer is attached again (zero copy)");
    } else {
        bool untouched = true;
        for (uint64_t i = 0; i < 8 * SECTOR; ++i)
            untouched = untouched && g_buffer[i] == 0;
        check(untouched, "the late completion does not write the client's buffer");
    }
    auto again = request(block::Read, 8, 8, 0);
    check(again && pattern_holds(8, 8, 0, false), "the stalled sectors read once resumed");
}

} // namespace

int main(int argc, char** argv) {
    uint64_t expected_capacity = argc > 1 ? parse(argv[1]) : 0;
    uint64_t first_written = argc > 2 ? parse(argv[2]) : 0;
    auto frame = sys::alloc_memory(mnos::service_caps::BUDGET, BUFFER_PAGES);
    auto mapped = frame ? mnos::map_shared(*frame, BUFFER_PAGES, true) : lib::fail(frame.error());
    if (!mapped) {
        mnos::println("block-client: no buffer: {}", mnos::error_name(mapped.error()));
        return 1;
    }
    g_frame = *frame;
    g_buffer = static_cast<uint8_t*>(*mapped);
    if (!mnos::names::wait_for(block::SERVICE, BLOCK)) {
        mnos::println("block-client: no block service");
        return 1;
    }
    check(request(block::Read, 0, 1, 0).error() == Error::NoSlot,
          "a read before Attach is refused (NoSlot)");
    auto attached = attach();
    check(attached.has_value(), "the buffer is attached");
    g_expected = attached.value_or(Attached::Copied);
    mnos::println("block-client: the buffer is attached ({})",
                  g_expected == Attached::Zero ? "zero copy" : "copied");
    auto info = rpc::call(BLOCK, block::Info, {});
    uint64_t capacity = info ? info->words[0] : 0;
    mnos::println("block-client: capacity {} sectors of {} bytes", capacity,
                  info ? info->words[1] : 0);
    check(capacity == expected_capacity && info->words[1] == SECTOR,
          "the capacity is the image's");
    if (capacity != expected_capacity || capacity < first_written + WRITTEN_SECTORS)
        return g_failures + 1;
    if (argc > 3 && lib::StringView(argv[3]) == lib::StringView("stall")) {
        stalled_read();
        mnos::println("block-client: {} failure(s)", g_failures);
        return g_failures;
    }
    if (argc > 3) {
        device_error(parse(argv[3]));
        mnos::println("block-client: {} failure(s)", g_failures);
        return g_failures;
    }
    read_everything(capacity);
    write_and_flush(first_written);
    refusals(capacity);
    detach_and_reattach();
    watch_reclaims();
    check(attach_and_watch(), "the buffer is attached again, this process watched");
    kill_during_io();
    mnos::println("block-client: {} failure(s)", g_failures);
    return g_failures;
}
