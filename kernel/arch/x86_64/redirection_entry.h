// An I/O APIC redirection table entry (82093AA I/O APIC datasheet, 3.2.4): 64 bits that say
// which vector a GSI raises, on which CPU, with which polarity and trigger mode, and whether it
// is masked. Hardware-free so the host tests check the encoding.
#pragma once

#include <cstdint>

namespace kernel::x86_64 {

struct RedirectionEntry {
    uint8_t vector = 0;
    bool active_low = false;      // bit 13 (INTPOL)
    bool level_triggered = false; // bit 15 (trigger mode)
    bool masked = true;           // bit 16
    uint8_t destination = 0;      // bits 56-63: a local APIC ID (physical destination mode)

    // Fixed delivery (bits 8-10 = 0) and physical destination mode (bit 11 = 0) always: the
    // kernel sends each GSI to one named CPU.
    constexpr uint64_t encode() const {
        return uint64_t(vector) | (uint64_t(active_low) << 13) |
               (uint64_t(level_triggered) << 15) | (uint64_t(masked) << 16) |
               (uint64_t(destination) << 56);
    }

    // Decodes the fields encode() writes; delivery mode and the read-only status bits (12
    // delivery status, 14 remote IRR) are ignored.
    static constexpr RedirectionEntry decode(uint64_t raw) {
        return {uint8_t(raw & 0xFF), bool(raw & (1u << 13)), bool(raw & (1u << 15)),
                bool(raw & (1u << 16)), uint8_t(raw >> 56)};
    }
    constexpr bool operator==(const RedirectionEntry&) const = default;
};

} // namespace kernel::x86_64
