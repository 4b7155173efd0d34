// Little-endian fields from byte buffers whose layout has no alignment guarantee (boot
// information, firmware tables, ELF images inside an archive, font files). Fields are copied out
// with memcpy rather than read through a cast pointer, which would be undefined when unaligned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lib {

// The caller has checked that offset + sizeof(T) lies inside `bytes`. x86_64 is little-endian,
// like every format read this way, so the copied bytes are the decoded value.
template <typename T> inline T read_le(std::span<const uint8_t> bytes, size_t offset) {
    T value;
    __builtin_memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

} // namespace lib
