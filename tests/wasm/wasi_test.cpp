// Unit tests of the WASI layer's functions, called directly with a fake host and a plain
// byte array as linear memory: results, errno values and, above all, that every guest pointer
// and length is checked before anything is read or written.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "lib/wasm/engine.h"
#include "lib/wasm/wasi/functions.h"
#include "lib/wasm/wasi/wasi.h"

namespace {

using namespace wasm::wasi;
using wasm::HostCall;
using wasm::HostFunc;
using wasm::Trap;

constexpr uint32_t kMemSize = 65536;

struct FakeHost final : WasiHost {
    std::string out, err, input;
    size_t input_pos = 0;
    size_t max_write = SIZE_MAX; // simulate short writes
    int writes = 0;
    bool exited = false;
    uint32_t exit_code = 0;

    IoResult write(uint32_t fd, std::span<const uint8_t> bytes) override {
        ++writes;
        size_t n = std::min(bytes.size(), max_write);
        (fd == kStdout ? out : err).append(reinterpret_cast<const char*>(bytes.data()), n);
        return n;
    }
    IoResult read(uint32_t, std::span<uint8_t> bytes) override {
        size_t n = std::min(bytes.size(), input.size() - input_pos);
        std::copy_n(input.data() + input_pos, n, bytes.data());
        input_pos += n;
        return n;
    }
    TimeResult clock_time(ClockId clock, uint64_t) override {
        return clock == ClockId::Realtime ? 1'700'000'000'123'456'789ull : 42ull;
    }
    TimeResult clock_resolution(ClockId) override { return 1000ull; }
    Errno random(std::span<uint8_t> bytes) override {
        for (size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = static_cast<uint8_t>(0xa0 + i);
        return Errno::Success;
    }
    Errno sleep(uint64_t nanoseconds) override {
        slept.push_back(nanoseconds);
        return Errno::Success;
    }
    std::vector<uint64_t> slept;
    void exit(uint32_t code) override {
        exited = true;
        exit_code = code;
    }
};

// One guest: a page of linear memory, an instance that owns it, and the layer.
struct Guest {
    std::vector<uint8_t> bytes;
    wasm::Memory memory;
    wasm::Instance instance;
    FakeHost host;
    std::vector<const char*> args = {"prog.wasm", "one", "two words"};
    std::vector<const char*> env = {"HOME=/", "LANG=C"};
    Wasi wasi{host, {.args = args, .env = env}};
    Trap last_trap;

    explicit Guest(uint32_t size = kMemSize) : bytes(size, 0) {
        memory.bytes = bytes.data();
        memory.size = bytes.size();
        memory.pages = size / wasm::kPageSize;
        instance.memory0 = &memory;
    }

    // Calls fn with i32/i64 arguments; returns its errno result (or 0xdead if it set none).
    uint32_t call(HostFunc fn, std::initializer_list<uint64_t> args_in) {
        std::vector<uint64_t> a(args_in);
        uint64_t results[1] = {0xdead};
        HostCall hc(nullptr, &instance, &wasi, a.data(), results);
        last_trap = fn(hc);
        return static_cast<uint32_t>(results[0]);
    }

    void put_u32(uint32_t addr, uint32_t v) {
        for (int i = 0; i < 4; ++i)
            bytes[addr + i] = static_cast<uint8_t>(v >> (8 * i));
    }
    uint32_t get_u32(uint32_t addr) const {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= uint32_t{bytes[addr + i]} << (8 * i);
        return v;
    }
    uint64_t get_u64(uint32_t addr) const {
        return get_u32(addr) | uint64_t{get_u32(addr + 4)} << 32;
    }
    void put_str(uint32_t addr, const std::string& s) {
        std::copy(s.begin(), s.end(), bytes.begin() + addr);
    }
    void put_iovec(uint32_t at, uint32_t buf, uint32_t len) {
        put_u32(at, buf);
        put_u32(at + 4, len);
    }
};

constexpr uint32_t E(Errno e) { return static_cast<uint32_t>(e); }

// ---- fd_write ----

TEST(WasiFdWrite, GathersIovecsToStdoutAndStoresTheCount) {
    Guest g;
    g.put_str(100, "hello, ");
    g.put_str(200, "world\n");
    g.put_iovec(300, 100, 7);
    g.put_iovec(308, 200, 6);
    EXPECT_EQ(g.call(detail::fd_write, {1, 300, 2, 400}), E(Errno::Success));
    EXPECT_EQ(g.host.out, "hello, world\n");
    EXPECT_EQ(g.get_u32(400), 13u);
}

TEST(WasiFdWrite, StderrIsSeparate) {
    Guest g;
    g.put_str(100, "oops");
    g.put_iovec(300, 100, 4);
    EXPECT_EQ(g.call(detail::fd_write, {2, 300, 1, 400}), E(Errno::Success));
    EXPECT_EQ(g.host.err, "oops");
    EXPECT_EQ(g.host.out, "");
}

TEST(WasiFdWrite, BufferPastTheEndOfMemoryIsEfaultAndWritesNothing) {
    Guest g;
    g.put_iovec(300, 100, 4);             // fine
    g.put_iovec(308, kMemSize - 2, 3);    // one byte past the end
    g.put_u32(400, 0x55555555);
    EXPECT_EQ(g.call(detail::fd_write, {1, 300, 2, 400}), E(Errno::Fault));
    EXPECT_EQ(g.host.writes, 0);
    EXPECT_EQ(g.get_u32(400), 0x55555555u);
}

TEST(WasiFdWrite, BufferAddressThatWrapsIsEfault) {
    Guest g;
    g.put_iovec(300, 0xffffffff, 2); // addr + len wraps in 32 bits
    EXPECT_EQ(g.call(detail::fd_write, {1, 300, 1, 400}), E(Errno::Fault));
    EXPECT_EQ(g.host.writes, 0);
}

TEST(WasiFdWrite, IovecArrayOutsideMemoryIsEfault) {
    Guest g;
    EXPECT_EQ(g.call(detail::fd_write, {1, kMemSize - 4, 1, 400}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::fd_write, {1, 0, 0xffffffff, 400}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::fd_write, {1, 0xfffffff8, 1, 400}), E(Errno::Fault));
    EXPECT_EQ(g.host.writes, 0);
}

TEST(WasiFdWrite, ResultPointerOutsideMemoryIsEfaultBeforeWriting) {
    Guest g;
    g.put_str(100, "x");
    g.put_iovec(300, 100, 1);
    EXPECT_EQ(g.call(detail::fd_write, {1, 300, 1, kMemSize - 3}), E(Errno::Fault));
    EXPECT_EQ(g.host.writes, 0);
}

TEST(WasiFdWrite, ZeroLengthBufferAtTheEndOfMemoryIsFine) {
    Guest g;
    g.put_iovec(300, kMemSize, 0);
    EXPECT_EQ(g.call(detail::fd_write, {1, 300, 1, 400}), E(Errno::Success));
    EXPECT_EQ(g.get_u32(400), 0u);
}

TEST(WasiFdWrite, ShortWriteStopsAndReportsWhatWasTaken) {
    Guest g;
    g.host.max_write = 3;
    g.put_str(100, "abcdef");
    g.put_iovec(300, 100, 6);
    g.put_iovec(308, 100, 6);
    EXPECT_EQ(g.call(detail::fd_write, {1, 300, 2, 400}), E(Errno::Success));
    EXPECT_EQ(g.host.out, "abc");
    EXPECT_EQ(g.get_u32(400), 3u);
}

TEST(WasiFdWrite, UnknownDescriptorIsEbadfAndStdinIsNotWritable) {
    Guest g;
    g.put_iovec(300, 100, 1);
    EXPECT_EQ(g.call(detail::fd_write, {3, 300, 1, 400}), E(Errno::BadF));
    EXPECT_EQ(g.call(detail::fd_write, {0xffffffff, 300, 1, 400}), E(Errno::BadF));
    EXPECT_EQ(g.call(detail::fd_write, {0, 300, 1, 400}), E(Errno::NotCapable));
    EXPECT_EQ(g.host.writes, 0);
}

TEST(WasiFdWrite, ClosedDescriptorIsEbadf) {
    Guest g;
    g.put_iovec(300, 100, 1);
    EXPECT_EQ(g.call(detail::fd_close, {1}), E(Errno::Success));
    EXPECT_EQ(g.call(detail::fd_write, {1, 300, 1, 400}), E(Errno::BadF));
    EXPECT_EQ(g.call(detail::fd_close, {1}), E(Errno::BadF));
    EXPECT_EQ(g.call(detail::fd_close, {7}), E(Errno::BadF));
}

TEST(WasiFdWrite, WithoutLinearMemoryEverythingIsEfault) {
    Guest g;
    g.instance.memory0 = nullptr;
    EXPECT_EQ(g.call(detail::fd_write, {1, 0, 1, 8}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::args_sizes_get, {0, 4}), E(Errno::Fault));
}

// ---- fd_read ----

TEST(WasiFdRead, ScattersStdinAndReportsEndOfInput) {
    Guest g;
    g.host.input = "abcdefgh";
    g.put_iovec(300, 100, 3);
    g.put_iovec(308, 200, 10);
    EXPECT_EQ(g.call(detail::fd_read, {0, 300, 2, 400}), E(Errno::Success));
    EXPECT_EQ(g.get_u32(400), 8u);
    EXPECT_EQ(std::string(g.bytes.begin() + 100, g.bytes.begin() + 103), "abc");
    EXPECT_EQ(std::string(g.bytes.begin() + 200, g.bytes.begin() + 205), "defgh");
    EXPECT_EQ(g.call(detail::fd_read, {0, 300, 2, 400}), E(Errno::Success));
    EXPECT_EQ(g.get_u32(400), 0u); // end of input
}

TEST(WasiFdRead, BufferOutsideMemoryIsEfaultAndConsumesNothing) {
    Guest g;
    g.host.input = "abc";
    g.put_iovec(300, kMemSize - 1, 2);
    EXPECT_EQ(g.call(detail::fd_read, {0, 300, 1, 400}), E(Errno::Fault));
    EXPECT_EQ(g.host.input_pos, 0u);
}

TEST(WasiFdRead, OnlyStdinIsReadable) {
    Guest g;
    g.put_iovec(300, 100, 1);
    EXPECT_EQ(g.call(detail::fd_read, {1, 300, 1, 400}), E(Errno::NotCapable));
    EXPECT_EQ(g.call(detail::fd_read, {9, 300, 1, 400}), E(Errno::BadF));
}

TEST(WasiFdRead, HugeIovecIsEfault) {
    Guest g;
    g.put_iovec(300, 0, 0xc0000000);
    EXPECT_EQ(g.call(detail::fd_read, {0, 300, 1, 400}), E(Errno::Fault));
}

TEST(WasiFdRead, OverlappingIovecsTotallingMoreThanU32AreEinval) {
    constexpr uint32_t kSize = 16 << 20;
    Guest g(kSize);
    g.host.input = "never read";
    // 512 iovecs each covering all 16 MiB: every one is inside, together they are 8 GiB.
    for (uint32_t i = 0; i < 512; ++i)
        g.put_iovec(i * kIovecSize, 0, kSize);
    EXPECT_EQ(g.call(detail::fd_read, {0, 0, 512, 8192}), E(Errno::Inval));
    EXPECT_EQ(g.host.input_pos, 0u);
}

// ---- args and environ ----

TEST(WasiArgs, SizesCountTheStringsWithTheirNuls) {
    Guest g;
    EXPECT_EQ(g.call(detail::args_sizes_get, {100, 104}), E(Errno::Success));
    EXPECT_EQ(g.get_u32(100), 3u);
    EXPECT_EQ(g.get_u32(104), 10u + 4u + 10u);
}

TEST(WasiArgs, GetWritesPointersAndStrings) {
    Guest g;
    EXPECT_EQ(g.call(detail::args_get, {100, 200}), E(Errno::Success));
    EXPECT_EQ(g.get_u32(100), 200u);
    EXPECT_EQ(g.get_u32(104), 210u);
    EXPECT_EQ(g.get_u32(108), 214u);
    EXPECT_STREQ(reinterpret_cast<const char*>(&g.bytes[200]), "prog.wasm");
    EXPECT_STREQ(reinterpret_cast<const char*>(&g.bytes[210]), "one");
    EXPECT_STREQ(reinterpret_cast<const char*>(&g.bytes[214]), "two words");
}

TEST(WasiArgs, GetOutsideMemoryIsEfaultAndWritesNothing) {
    Guest g;
    EXPECT_EQ(g.call(detail::args_get, {kMemSize - 8, 200}), E(Errno::Fault)); // 3 pointers
    EXPECT_EQ(g.call(detail::args_get, {100, kMemSize - 20}), E(Errno::Fault)); // 24 bytes
    EXPECT_EQ(g.call(detail::args_get, {100, 0xffffffff}), E(Errno::Fault));
    EXPECT_EQ(g.get_u32(100), 0u);
    EXPECT_EQ(g.bytes[200], 0);
    EXPECT_EQ(g.bytes[kMemSize - 20], 0);
}

TEST(WasiArgs, SizesOutsideMemoryIsEfault) {
    Guest g;
    EXPECT_EQ(g.call(detail::args_sizes_get, {kMemSize - 2, 0}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::args_sizes_get, {0, kMemSize}), E(Errno::Fault));
}

TEST(WasiEnviron, GetAndSizes) {
    Guest g;
    EXPECT_EQ(g.call(detail::environ_sizes_get, {100, 104}), E(Errno::Success));
    EXPECT_EQ(g.get_u32(100), 2u);
    EXPECT_EQ(g.get_u32(104), 14u);
    EXPECT_EQ(g.call(detail::environ_get, {300, 400}), E(Errno::Success));
    EXPECT_STREQ(reinterpret_cast<const char*>(&g.bytes[g.get_u32(304)]), "LANG=C");
    EXPECT_EQ(g.call(detail::environ_get, {300, kMemSize - 1}), E(Errno::Fault));
}

// ---- clocks, random, exit ----

TEST(WasiClock, TimeAndResolutionComeFromTheHost) {
    Guest g;
    EXPECT_EQ(g.call(detail::clock_time_get, {0, 1, 104}), E(Errno::Success));
    EXPECT_EQ(g.get_u64(104), 1'700'000'000'123'456'789ull);
    EXPECT_EQ(g.call(detail::clock_time_get, {1, 1, 200}), E(Errno::Success));
    EXPECT_EQ(g.get_u64(200), 42u);
    EXPECT_EQ(g.call(detail::clock_res_get, {1, 300}), E(Errno::Success));
    EXPECT_EQ(g.get_u64(300), 1000u);
}

TEST(WasiClock, BadClockIsEinvalAndBadPointerIsEfault) {
    Guest g;
    EXPECT_EQ(g.call(detail::clock_time_get, {4, 0, 100}), E(Errno::Inval));
    EXPECT_EQ(g.call(detail::clock_time_get, {0, 0, kMemSize - 7}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::clock_res_get, {99, 100}), E(Errno::Inval));
    EXPECT_EQ(g.call(detail::clock_res_get, {0, 0xfffffffc}), E(Errno::Fault));
}

// ---- poll_oneoff ----

// A subscription record (48 bytes) at `at`: a clock (tag 0) or a descriptor (1 read, 2 write).
void put_u64(Guest& g, uint32_t at, uint64_t v) {
    g.put_u32(at, static_cast<uint32_t>(v));
    g.put_u32(at + 4, static_cast<uint32_t>(v >> 32));
}
void put_clock(Guest& g, uint32_t at, uint64_t userdata, uint32_t clock, uint64_t timeout,
               bool absolute = false) {
    std::fill_n(g.bytes.begin() + at, 48, 0);
    put_u64(g, at, userdata);
    g.bytes[at + 8] = 0;
    g.put_u32(at + 16, clock);
    put_u64(g, at + 24, timeout);
    g.bytes[at + 40] = absolute ? 1 : 0;
}
void put_fd(Guest& g, uint32_t at, uint64_t userdata, uint8_t tag, uint32_t fd) {
    std::fill_n(g.bytes.begin() + at, 48, 0);
    put_u64(g, at, userdata);
    g.bytes[at + 8] = tag;
    g.put_u32(at + 16, fd);
}
uint16_t event_error(const Guest& g, uint32_t event) {
    return static_cast<uint16_t>(g.bytes[event + 8] | g.bytes[event + 9] << 8);
}

TEST(WasiPoll, ARelativeClockSleepsItsTimeoutAndReportsItsEvent) {
    Guest g;
    put_clock(g, 1000, 0x77, 1, 100'000'000);
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 1, 3000}), E(Errno::Success));
    ASSERT_EQ(g.host.slept.size(), 1u);
    EXPECT_EQ(g.host.slept[0], 100'000'000u);
    EXPECT_EQ(g.get_u32(3000), 1u);
    EXPECT_EQ(g.get_u64(2000), 0x77u);
    EXPECT_EQ(event_error(g, 2000), 0);
    EXPECT_EQ(g.bytes[2000 + 10], 0); // type: clock
}

TEST(WasiPoll, TheEarliestOfSeveralClocksWinsAndAnAbsoluteOneCountsFromNow) {
    Guest g;
    put_clock(g, 1000, 1, 1, 500);
    put_clock(g, 1048, 2, 1, 42 + 200, true); // the monotonic clock reads 42
    put_clock(g, 1096, 3, 1, 200);
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 3, 3000}), E(Errno::Success));
    ASSERT_EQ(g.host.slept.size(), 1u);
    EXPECT_EQ(g.host.slept[0], 200u);
    ASSERT_EQ(g.get_u32(3000), 2u); // both due at 200, the one at 500 not
    EXPECT_EQ(g.get_u64(2000), 2u);
    EXPECT_EQ(g.get_u64(2032), 3u);
}

TEST(WasiPoll, AnAbsoluteTimeInThePastDoesNotSleep) {
    Guest g;
    put_clock(g, 1000, 9, 1, 10, true);
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 1, 3000}), E(Errno::Success));
    ASSERT_EQ(g.host.slept.size(), 1u);
    EXPECT_EQ(g.host.slept[0], 0u);
    EXPECT_EQ(g.get_u32(3000), 1u);
}

TEST(WasiPoll, DescriptorsAnswerAtOnceAndBadOnesCarryEbadf) {
    Guest g;
    put_clock(g, 1000, 1, 1, 1'000'000'000);
    put_fd(g, 1048, 2, 2, 1);  // stdout, write: ready
    put_fd(g, 1096, 3, 1, 0);  // stdin, read: ready
    put_fd(g, 1144, 4, 1, 1);  // stdout, read: not readable
    put_fd(g, 1192, 5, 2, 9);  // no such descriptor
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 5, 3000}), E(Errno::Success));
    EXPECT_TRUE(g.host.slept.empty());
    ASSERT_EQ(g.get_u32(3000), 4u); // the clock is not due
    EXPECT_EQ(g.get_u64(2000), 2u);
    EXPECT_EQ(event_error(g, 2000), 0);
    EXPECT_EQ(g.bytes[2000 + 10], 2); // type: fd_write
    EXPECT_EQ(g.get_u64(2032), 3u);
    EXPECT_EQ(event_error(g, 2032), 0);
    EXPECT_EQ(event_error(g, 2064), E(Errno::BadF));
    EXPECT_EQ(event_error(g, 2096), E(Errno::BadF));
}

TEST(WasiPoll, BadArgumentsAreRefusedWithoutSleeping) {
    Guest g;
    put_clock(g, 1000, 1, 1, 5);
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 0, 3000}), E(Errno::Inval));
    EXPECT_EQ(g.call(detail::poll_oneoff, {kMemSize - 40, 2000, 1, 3000}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, kMemSize - 16, 1, 3000}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 1, kMemSize - 2}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 0xffffffff, 3000}), E(Errno::Fault));
    g.bytes[1008] = 7; // an unknown tag
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 1, 3000}), E(Errno::Inval));
    EXPECT_TRUE(g.host.slept.empty());
}

TEST(WasiPoll, ACpuTimeClockGetsEinvalInItsEvent) {
    Guest g;
    put_clock(g, 1000, 6, 2, 5);
    EXPECT_EQ(g.call(detail::poll_oneoff, {1000, 2000, 1, 3000}), E(Errno::Success));
    EXPECT_TRUE(g.host.slept.empty());
    ASSERT_EQ(g.get_u32(3000), 1u);
    EXPECT_EQ(event_error(g, 2000), E(Errno::Inval));
}

TEST(WasiRandom, FillsTheBufferOnlyWhenItIsInside) {
    Guest g;
    EXPECT_EQ(g.call(detail::random_get, {100, 4}), E(Errno::Success));
    EXPECT_EQ(g.get_u32(100), 0xa3a2a1a0u);
    EXPECT_EQ(g.call(detail::random_get, {kMemSize - 3, 4}), E(Errno::Fault));
    EXPECT_EQ(g.bytes[kMemSize - 3], 0);
    EXPECT_EQ(g.call(detail::random_get, {kMemSize, 0}), E(Errno::Success));
}

TEST(WasiProcExit, EndsTheCallWithTheCodeAndTellsTheHost) {
    Guest g;
    g.call(detail::proc_exit, {7});
    EXPECT_TRUE(g.last_trap.is_exit());
    EXPECT_EQ(g.last_trap.exit_code, 7);
    EXPECT_EQ(exit_status(g.last_trap), 7);
    EXPECT_TRUE(g.host.exited);
    EXPECT_EQ(g.host.exit_code, 7u);
}

TEST(WasiExitStatus, MapsReturnsExitsAndTraps) {
    EXPECT_EQ(exit_status(Trap::none()), 0);
    EXPECT_EQ(exit_status(Trap::exit(3)), 3);
    EXPECT_EQ(exit_status(Trap::of(wasm::TrapKind::Unreachable)), -1);
}

// ---- descriptor metadata ----

TEST(WasiFdstat, StandardStreamsAreCharacterDevices) {
    Guest g;
    std::fill(g.bytes.begin() + 100, g.bytes.begin() + 124, 0xff);
    EXPECT_EQ(g.call(detail::fd_fdstat_get, {1, 100}), E(Errno::Success));
    EXPECT_EQ(g.bytes[100], static_cast<uint8_t>(FileType::CharacterDevice));
    EXPECT_EQ(g.bytes[101], 0); // padding cleared
    EXPECT_NE(g.get_u64(108) & rights::kFdWrite, 0u);
    EXPECT_EQ(g.get_u64(108) & (rights::kFdSeek | rights::kFdTell), 0u); // a tty to wasi-libc
    EXPECT_EQ(g.get_u64(116), 0u);
    EXPECT_EQ(g.call(detail::fd_fdstat_get, {0, 100}), E(Errno::Success));
    EXPECT_NE(g.get_u64(108) & rights::kFdRead, 0u);
}

TEST(WasiFdstat, BadDescriptorAndBadPointer) {
    Guest g;
    EXPECT_EQ(g.call(detail::fd_fdstat_get, {3, 100}), E(Errno::BadF));
    EXPECT_EQ(g.call(detail::fd_fdstat_get, {1, kMemSize - 23}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::fd_filestat_get, {2, kMemSize - 63}), E(Errno::Fault));
    EXPECT_EQ(g.call(detail::fd_filestat_get, {2, 1000}), E(Errno::Success));
    EXPECT_EQ(g.bytes[1016], static_cast<uint8_t>(FileType::CharacterDevice));
}

TEST(WasiPrestat, ThereAreNoPreopenedDirectories) {
    Guest g;
    EXPECT_EQ(g.call(detail::fd_prestat_get, {3, 100}), E(Errno::BadF));
    EXPECT_EQ(g.call(detail::fd_prestat_dir_name, {3, 100, 10}), E(Errno::BadF));
}

TEST(WasiSeek, StreamsCannotSeek) {
    Guest g;
    EXPECT_EQ(g.call(detail::fd_seek, {1, 0, 0, 100}), E(Errno::SPipe));
    EXPECT_EQ(g.call(detail::fd_seek, {1, 0, 3, 100}), E(Errno::Inval));
    EXPECT_EQ(g.call(detail::fd_seek, {5, 0, 0, 100}), E(Errno::BadF));
    EXPECT_EQ(g.call(detail::fd_tell, {0, 100}), E(Errno::SPipe));
}

TEST(WasiFdstatSetFlags, OnlyNoFlagsIsAccepted) {
    Guest g;
    EXPECT_EQ(g.call(detail::fd_fdstat_set_flags, {1, 0}), E(Errno::Success));
    EXPECT_EQ(g.call(detail::fd_fdstat_set_flags, {1, 1}), E(Errno::NotSup));
    EXPECT_EQ(g.call(detail::fd_fdstat_set_flags, {4, 0}), E(Errno::BadF));
}

TEST(WasiGuestMemory, ContainsUses64BitArithmetic) {
    uint8_t bytes[16] = {};
    GuestMemory mem(bytes, sizeof bytes);
    EXPECT_TRUE(mem.contains(0, 16));
    EXPECT_TRUE(mem.contains(16, 0));
    EXPECT_FALSE(mem.contains(17, 0));
    EXPECT_FALSE(mem.contains(1, 16));
    EXPECT_FALSE(mem.contains(8, UINT64_MAX));
    EXPECT_FALSE(mem.load_u32(13).has_value());
    EXPECT_TRUE(mem.store_u32(12, 0x04030201));
    EXPECT_EQ(bytes[12], 1);
    EXPECT_EQ(bytes[15], 4);
    EXPECT_EQ(*mem.load_u32(12), 0x04030201u);
    GuestMemory none(nullptr, 4096);
    EXPECT_FALSE(none.contains(0, 1));
}

} // namespace
