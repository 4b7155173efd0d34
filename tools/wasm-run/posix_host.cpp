#include "tools/wasm-run/posix_host.h"

#include <cerrno>
#include <ctime>
#include <sys/random.h>
#include <unistd.h>

namespace host {

namespace {

using wasm::wasi::ClockId;
using wasm::wasi::Errno;

// The few host errnos a console stream can produce, in WASI's numbering.
Errno to_wasi(int e) {
    switch (e) {
    case EAGAIN: return Errno::Again;
    case EBADF: return Errno::BadF;
    case EFAULT: return Errno::Fault;
    case EINVAL: return Errno::Inval;
    default: return Errno::Io;
    }
}

clockid_t to_posix(ClockId clock) {
    switch (clock) {
    case ClockId::Realtime: return CLOCK_REALTIME;
    case ClockId::Monotonic: return CLOCK_MONOTONIC;
    case ClockId::ProcessCpuTime: return CLOCK_PROCESS_CPUTIME_ID;
    case ClockId::ThreadCpuTime: return CLOCK_THREAD_CPUTIME_ID;
    }
    return CLOCK_MONOTONIC;
}

uint64_t nanoseconds(const timespec& ts) {
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

} // namespace

wasm::wasi::IoResult PosixHost::write(uint32_t fd, std::span<const uint8_t> bytes) {
    // Loops until all is written, so the guest sees a short write only on an error midway.
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(static_cast<int>(fd), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (done > 0)
                break;
            return std::unexpected(to_wasi(errno));
        }
        done += static_cast<size_t>(n);
    }
    return done;
}

wasm::wasi::IoResult PosixHost::read(uint32_t fd, std::span<uint8_t> bytes) {
    for (;;) {
        ssize_t n = ::read(static_cast<int>(fd), bytes.data(), bytes.size());
        if (n >= 0)
            return static_cast<size_t>(n);
        if (errno != EINTR)
            return std::unexpected(to_wasi(errno));
    }
}

wasm::wasi::TimeResult PosixHost::clock_time(ClockId clock, uint64_t) {
    timespec ts{};
    if (clock_gettime(to_posix(clock), &ts) != 0)
        return std::unexpected(to_wasi(errno));
    return nanoseconds(ts);
}

wasm::wasi::TimeResult PosixHost::clock_resolution(ClockId clock) {
    timespec ts{};
    if (clock_getres(to_posix(clock), &ts) != 0)
        return std::unexpected(to_wasi(errno));
    return nanoseconds(ts);
}

Errno PosixHost::sleep(uint64_t nanoseconds) {
    timespec left{static_cast<time_t>(nanoseconds / 1'000'000'000),
                  static_cast<long>(nanoseconds % 1'000'000'000)};
    // Resumed after a signal with what remained, so the guest sleeps its whole time.
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &left, &left) == EINTR) {
    }
    return Errno::Success;
}

Errno PosixHost::random(std::span<uint8_t> bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = getrandom(bytes.data() + done, bytes.size() - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return to_wasi(errno);
        done += static_cast<size_t>(n);
    }
    return Errno::Success;
}

} // namespace host
