// WASI's view of MinimalOS (lib/wasm/wasi/host.h): stdout and stderr are the console service,
// stdin its line-edited input; the monotonic clock is the TSC at the frequency the kernel
// calibrated; random bytes come from RDRAND when the CPU has it, else from a generator seeded
// by the TSC (documented as not cryptographic: docs/hypervisor.md).
#pragma once

#include "lib/wasm/wasi/host.h"

namespace wasm_host {

class SystemHost final : public wasm::wasi::WasiHost {
public:
    SystemHost();
    wasm::wasi::IoResult write(uint32_t fd, std::span<const uint8_t> bytes) override;
    wasm::wasi::IoResult read(uint32_t fd, std::span<uint8_t> bytes) override;
    wasm::wasi::TimeResult clock_time(wasm::wasi::ClockId clock, uint64_t precision) override;
    wasm::wasi::TimeResult clock_resolution(wasm::wasi::ClockId clock) override;
    wasm::wasi::Errno random(std::span<uint8_t> bytes) override;

private:
    uint64_t m_tsc_hz = 0;
    bool m_rdrand = false;
    uint64_t m_state = 0;
    char m_pending[256]; // a line read from the console but not yet taken by the guest
    size_t m_pending_start = 0, m_pending_end = 0;
};

} // namespace wasm_host
