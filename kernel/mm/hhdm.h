// The higher-half direct map (HHDM): all physical memory mapped at one fixed offset in the
// kernel half, so the kernel reaches any frame, page table or boot structure by address.
// Until phase 2 builds the kernel's own tables, boot.S maps the first 4 GiB there.
#pragma once

#include "kernel/mm/direct_map.h"
#include "kernel/mm/layout.h"

namespace kernel::mm {

inline constexpr uint64_t HHDM_BASE = layout::HHDM_BASE;
inline constexpr uint64_t BOOT_HHDM_LIMIT = 4ull << 30; // what boot.S maps before phase 2
inline constexpr DirectMap HHDM{HHDM_BASE};

// A pointer to physical memory through the HHDM. Sound only for memory the HHDM covers (RAM,
// ACPI and firmware regions; see memory.cpp); every caller names the invariant that holds.
template <typename T> T* phys_to_ptr(lib::PhysAddr phys) {
    return reinterpret_cast<T*>(HHDM_BASE + phys.value());
}

} // namespace kernel::mm
