// WasiHost: what the WASI layer needs from the world outside the guest. The embedder implements
// it: wasm-run on Linux with read(2)/write(2)/clock_gettime, and later MinimalOS's Init with
// its serial driver and timers. The layer itself never touches a file, clock or heap.
//
//   class ConsoleHost final : public wasm::wasi::WasiHost {
//       IoResult write(uint32_t fd, std::span<const uint8_t> bytes) override {
//           serial_write(bytes.data(), bytes.size());
//           return bytes.size();
//       }
//       ... read, clock_time, clock_resolution, random
//   };
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>

#include "lib/wasm/wasi/abi.h"

namespace wasm::wasi {

// A byte count or the errno to hand to the guest.
using IoResult = std::expected<size_t, Errno>;
// A time in nanoseconds or the errno to hand to the guest.
using TimeResult = std::expected<uint64_t, Errno>;

// Read-only files the guest sees under its one preopened directory, "/" (fd 3). Paths are
// relative to it and already normalised by the layer: no leading '/', no "." or ".."
// components, "" for the directory itself.
struct FileInfo {
    bool directory = false;
    uint64_t size = 0;
};
class ReadOnlyFiles {
public:
    virtual std::expected<FileInfo, Errno> stat(std::span<const char> path) = 0;
    // Up to bytes.size() bytes of the file at `offset`; 0 at or past its end.
    virtual IoResult read(std::span<const char> path, uint64_t offset, std::span<uint8_t> bytes) = 0;
    // The `index`-th entry directly inside directory `path`: its name into `name` (the length
    // returned; names longer than `name` are cut), its info into `info`. NoEnt past the last.
    virtual IoResult entry(std::span<const char> path, uint64_t index, std::span<char> name,
                           FileInfo& info) = 0;

protected:
    ~ReadOnlyFiles() = default;
};

class WasiHost {
public:
    // Writes bytes to the guest's fd 1 (stdout) or 2 (stderr); returns how many were taken
    // (fewer than asked is a short write, the guest retries). Never called for other fds.
    virtual IoResult write(uint32_t fd, std::span<const uint8_t> bytes) = 0;

    // Reads up to bytes.size() bytes of the guest's stdin (fd 0) into `bytes`; 0 means end of
    // input. `bytes` points into guest memory and is only valid during the call.
    virtual IoResult read(uint32_t fd, std::span<uint8_t> bytes) = 0;

    // The current time of `clock` in nanoseconds. Realtime counts from the Unix epoch; the
    // others from any fixed point. `precision` is the guest's hint of the accuracy it needs.
    virtual TimeResult clock_time(ClockId clock, uint64_t precision) = 0;
    virtual TimeResult clock_resolution(ClockId clock) = 0;

    // Blocks the guest for `nanoseconds` on the monotonic clock (poll_oneoff's clock
    // subscriptions). A host that cannot sleep answers NoSys, and so does poll_oneoff.
    virtual Errno sleep(uint64_t /*nanoseconds*/) { return Errno::NoSys; }

    // Fills `bytes` with random data (the guest uses it to seed hash tables and the like).
    virtual Errno random(std::span<uint8_t> bytes) = 0;

    // The guest called proc_exit(code). The layer then ends the guest's call chain with
    // Trap::exit(code) whatever this does; a host may record the code or flush its output.
    virtual void exit(uint32_t /*code*/) {}

    // The files under the preopened "/", or none (then there is no fd 3 and path_open is EBADF).
    virtual ReadOnlyFiles* files() { return nullptr; }

protected:
    // Hosts are not destroyed through this interface (see lib::Allocator for why).
    ~WasiHost() = default;
};

} // namespace wasm::wasi
