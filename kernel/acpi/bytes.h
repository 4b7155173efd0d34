// Little-endian field reads from byte-packed firmware tables. ACPI structures have no alignment
// guarantee (an XSDT's 8-byte entries start at offset 36), so every multi-byte field is copied
// out with __builtin_memcpy rather than read through a cast pointer. Callers have already
// checked that offset + sizeof(T) lies inside the span; the assertion-free reads are internal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/bytes.h"

namespace kernel::acpi::detail {

using lib::read_le;

inline uint8_t read_u8(std::span<const uint8_t> b, size_t off) {
    return b[off];
}
inline uint16_t read_u16(std::span<const uint8_t> b, size_t off) {
    return read_le<uint16_t>(b, off);
}
inline uint32_t read_u32(std::span<const uint8_t> b, size_t off) {
    return read_le<uint32_t>(b, off);
}
inline uint64_t read_u64(std::span<const uint8_t> b, size_t off) {
    return read_le<uint64_t>(b, off);
}

// ACPI checksums: all bytes of the structure, including the checksum byte, sum to 0 mod 256.
inline bool sums_to_zero(std::span<const uint8_t> bytes) {
    uint8_t sum = 0;
    for (uint8_t b : bytes)
        sum = static_cast<uint8_t>(sum + b);
    return sum == 0;
}

inline bool has_signature(std::span<const uint8_t> bytes, const char* signature, size_t length) {
    for (size_t i = 0; i < length; ++i)
        if (bytes[i] != static_cast<uint8_t>(signature[i]))
            return false;
    return true;
}

} // namespace kernel::acpi::detail
