// PhysicalReader: how the ACPI parser sees physical memory. It is one linear window: the bytes
// at physical address P (for window_start <= P < window_start + window_size) are at
// window_base + (P - window_start). In the kernel the window is the HHDM over all physical
// memory; in host tests it is a byte buffer posing as a few pages of firmware memory. Every
// table access goes through map(), so a firmware pointer outside the window is refused with
// Error::BadAddress instead of being dereferenced.
//
// It is a concrete class on purpose: no virtual functions means no vtable, no
// __cxa_pure_virtual and nothing the freestanding kernel has to supply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/address.h"
#include "lib/result.h"

namespace kernel::acpi {

class PhysicalReader {
public:
    constexpr PhysicalReader(const uint8_t* window_base, lib::PhysAddr window_start,
                             uint64_t window_size)
        : m_base(window_base), m_start(window_start), m_size(window_size) {}

    // The `length` bytes at `address`, or BadAddress if any of them is outside the window.
    // A zero length is valid anywhere inside (or at the end of) the window.
    lib::Result<std::span<const uint8_t>> map(lib::PhysAddr address, uint64_t length) const;

    lib::PhysAddr window_start() const { return m_start; }
    uint64_t window_size() const { return m_size; }

private:
    const uint8_t* m_base;
    lib::PhysAddr m_start;
    uint64_t m_size;
};

} // namespace kernel::acpi
