// PosixHost: the WASI layer's window on a Linux host, for wasm-run. The guest's fds 0-2 are
// the process's own, its clocks are clock_gettime's and its random bytes getrandom's.
#pragma once

#include <cstdint>
#include <span>

#include "lib/wasm/wasi/host.h"

namespace host {

class PosixHost final : public wasm::wasi::WasiHost {
public:
    wasm::wasi::IoResult write(uint32_t fd, std::span<const uint8_t> bytes) override;
    wasm::wasi::IoResult read(uint32_t fd, std::span<uint8_t> bytes) override;
    wasm::wasi::TimeResult clock_time(wasm::wasi::ClockId clock, uint64_t precision) override;
    wasm::wasi::TimeResult clock_resolution(wasm::wasi::ClockId clock) override;
    wasm::wasi::Errno random(std::span<uint8_t> bytes) override;
    wasm::wasi::Errno sleep(uint64_t nanoseconds) override;
};

} // namespace host
