// poll_oneoff: what wasi-libc's nanosleep, usleep, sleep and poll come down to.
//
// Clock subscriptions sleep through WasiHost::sleep until the earliest of them is due, and
// every subscription due by then gets its event. Descriptor subscriptions never wait: stdout,
// stderr and open files are always ready; stdin is reported ready too (nbytes 0, "unknown"),
// because the layer cannot look at the console without reading it: a read that follows may
// block until a line comes. So a poll that has a descriptor among its subscriptions answers at
// once with the descriptors' events, and only a poll of clocks alone sleeps.
#include <cstdint>
#include <optional>

#include "lib/wasm/wasi/functions.h"

namespace wasm::wasi::detail {

namespace {

// The layouts of wasi_snapshot_preview1's subscription and event records.
constexpr uint64_t kSubscriptionSize = 48;
constexpr uint64_t kEventSize = 32;
constexpr uint64_t kSubUserdata = 0, kSubTag = 8, kSubClockId = 16, kSubClockTimeout = 24,
                   kSubClockFlags = 40, kSubFd = 16;
constexpr uint64_t kEventUserdata = 0, kEventError = 8, kEventType = 10, kEventNbytes = 16;
enum class EventType : uint8_t { Clock = 0, FdRead = 1, FdWrite = 2 };
constexpr uint16_t kClockAbsolute = 1; // subclockflags::subscription_clock_abstime

// A subscription as read and checked: when it is due (nanoseconds from now, for clocks), or
// the errno its event carries.
struct Pending {
    uint64_t userdata = 0;
    EventType type = EventType::Clock;
    Errno error = Errno::Success;
    uint64_t wait = 0;   // clocks: how long until it is due
    uint64_t nbytes = 0; // descriptors: how much can be read (0: unknown)
};

// The clocks as they read when the call began, each read at most once: both passes over the
// subscriptions must see the same waits, however long the sleep between them.
class ClockReadings {
public:
    explicit ClockReadings(WasiHost& host) : host_(host) {}
    TimeResult now(ClockId id) {
        auto& reading = readings_[static_cast<uint32_t>(id)];
        if (!reading)
            reading = host_.clock_time(id, 1);
        return *reading;
    }

private:
    WasiHost& host_;
    std::optional<TimeResult> readings_[2]; // Realtime, Monotonic
};

// How long until a clock subscription is due, or its errno.
std::expected<uint64_t, Errno> clock_wait(GuestMemory& mem, uint64_t sub, ClockReadings& clocks) {
    uint32_t raw_id = *mem.load_u32(sub + kSubClockId);
    uint64_t timeout = *mem.load_u64(sub + kSubClockTimeout);
    uint16_t flags = *mem.load_u16(sub + kSubClockFlags);
    if (raw_id > static_cast<uint32_t>(ClockId::Monotonic))
        return std::unexpected(Errno::Inval); // CPU-time clocks cannot be slept on
    if (!(flags & kClockAbsolute))
        return timeout;
    TimeResult now = clocks.now(static_cast<ClockId>(raw_id));
    if (!now)
        return std::unexpected(now.error());
    return timeout > *now ? timeout - *now : 0;
}

// A descriptor subscription's readiness (always ready; see the top of the file).
Pending descriptor(HostCall& call, GuestMemory& mem, uint64_t sub, EventType type) {
    Pending p{.type = type};
    uint32_t fd = *mem.load_u32(sub + kSubFd);
    Wasi& wasi = self(call);
    if (fd <= 2) {
        bool readable = fd == 0;
        if (!wasi.fd_is_open(fd) || readable != (type == EventType::FdRead))
            p.error = Errno::BadF;
        return p;
    }
    Wasi::OpenFile* file = wasi.file(fd);
    if (!file || file->directory || type != EventType::FdRead) {
        p.error = Errno::BadF;
        return p;
    }
    ReadOnlyFiles* files = wasi.host().files();
    auto info = files ? files->stat(file->view()) : std::unexpected(Errno::BadF);
    if (!info)
        p.error = info.error();
    else if (info->size > file->offset)
        p.nbytes = info->size - file->offset;
    return p;
}

void store_event(GuestMemory& mem, uint64_t at, const Pending& p) {
    for (uint64_t i = 0; i < kEventSize; i += 8)
        mem.store_u64(at + i, 0);
    mem.store_u64(at + kEventUserdata, p.userdata);
    mem.store_u16(at + kEventError, static_cast<uint16_t>(p.error));
    mem.store_u8(at + kEventType, static_cast<uint8_t>(p.type));
    if (p.type != EventType::Clock)
        mem.store_u64(at + kEventNbytes, p.nbytes);
}

} // namespace

// poll_oneoff(in: *subscription, out: *event, nsubscriptions, *nevents)
Trap poll_oneoff(HostCall& call) {
    uint64_t in = call.arg_i32(0);
    uint64_t out = call.arg_i32(1);
    uint64_t count = call.arg_i32(2);
    uint64_t nevents_at = call.arg_i32(3);
    GuestMemory mem = memory(call);
    if (count == 0)
        return done(call, Errno::Inval); // it would wait forever
    if (!mem.contains(in, count * kSubscriptionSize) || !mem.contains(out, count * kEventSize) ||
        !mem.contains(nevents_at, 4))
        return done(call, Errno::Fault);

    // First pass: find what is ready now, and the earliest clock.
    ClockReadings clocks(self(call).host());
    bool any_descriptor = false;
    uint64_t earliest = UINT64_MAX;
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t sub = in + i * kSubscriptionSize;
        uint8_t tag = *mem.load_u8(sub + kSubTag);
        if (tag > static_cast<uint8_t>(EventType::FdWrite))
            return done(call, Errno::Inval);
        if (tag != static_cast<uint8_t>(EventType::Clock)) {
            any_descriptor = true;
        } else if (auto wait = clock_wait(mem, sub, clocks); wait && *wait < earliest) {
            earliest = *wait;
        } else if (!wait) {
            any_descriptor = true; // a clock that cannot be waited on answers at once too
        }
    }
    if (!any_descriptor) {
        Errno slept = self(call).host().sleep(earliest);
        if (slept != Errno::Success)
            return done(call, slept);
    }

    // Second pass: the events. Clocks are due if nothing answered sooner and their wait was
    // the shortest (or as short).
    uint32_t written = 0;
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t sub = in + i * kSubscriptionSize;
        auto type = static_cast<EventType>(*mem.load_u8(sub + kSubTag));
        Pending p;
        if (type == EventType::Clock) {
            auto wait = clock_wait(mem, sub, clocks);
            if (wait && (any_descriptor || *wait > earliest))
                continue;
            p.error = wait ? Errno::Success : wait.error();
        } else {
            p = descriptor(call, mem, sub, type);
        }
        p.userdata = *mem.load_u64(sub + kSubUserdata);
        p.type = type;
        store_event(mem, out + written * kEventSize, p);
        ++written;
    }
    mem.store_u32(nevents_at, written);
    return done(call, Errno::Success);
}

} // namespace wasm::wasi::detail
