// WASI's view of MinimalOS (lib/wasm/wasi/host.h): stdout and stderr are the console service,
// stdin its line-edited input; the files under "/" are the file service's (abi/fs.h: the
// initrd, read-only), when the host was given one, and there are none otherwise; the monotonic
// clock is the TSC at the frequency the kernel calibrated, the wall clock that plus the CMOS
// clock's reading at boot (user/libmnos/clock.h); sleeping is the kernel's Sleep; random bytes
// come from RDRAND when the CPU has it, else from a generator seeded by the TSC (documented as
// not cryptographic: docs/hypervisor.md).
#pragma once

#include <optional>

#include "lib/wasm/wasi/host.h"
#include "user/libmnos/file_service.h"

namespace wasm_host {

class SystemHost final : public wasm::wasi::WasiHost, public wasm::wasi::ReadOnlyFiles {
public:
    explicit SystemHost(std::optional<mnos::FileService> files);
    wasm::wasi::IoResult write(uint32_t fd, std::span<const uint8_t> bytes) override;
    wasm::wasi::IoResult read(uint32_t fd, std::span<uint8_t> bytes) override;
    wasm::wasi::TimeResult clock_time(wasm::wasi::ClockId clock, uint64_t precision) override;
    wasm::wasi::TimeResult clock_resolution(wasm::wasi::ClockId clock) override;
    wasm::wasi::Errno random(std::span<uint8_t> bytes) override;
    wasm::wasi::Errno sleep(uint64_t nanoseconds) override;
    wasm::wasi::ReadOnlyFiles* files() override { return m_files ? this : nullptr; }

    std::expected<wasm::wasi::FileInfo, wasm::wasi::Errno> stat(std::span<const char> path) override;
    wasm::wasi::IoResult read(std::span<const char> path, uint64_t offset,
                              std::span<uint8_t> bytes) override;
    wasm::wasi::IoResult entry(std::span<const char> path, uint64_t index, std::span<char> name,
                               wasm::wasi::FileInfo& info) override;

private:
    std::optional<mnos::FileService> m_files;
    uint64_t m_tsc_hz = 0;
    std::optional<uint64_t> m_wall_base_ns; // Unix time at TSC 0, when there is a wall clock
    bool m_rdrand = false;
    uint64_t m_state = 0;
    char m_pending[256]; // a line read from the console but not yet taken by the guest
    size_t m_pending_start = 0, m_pending_end = 0;
};

} // namespace wasm_host
