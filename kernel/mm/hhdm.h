// The higher-half direct map (HHDM): all physical memory mapped at one fixed offset in the
// kernel half, so the kernel reaches any frame, page table or boot structure by address.
// Until memory management builds the full map, boot.S maps the first 4 GiB there.
#pragma once

#include "lib/address.h"

namespace kernel::mm {

inline constexpr uint64_t HHDM_BASE = 0xffff800000000000;
inline constexpr uint64_t BOOT_HHDM_LIMIT = 4ull << 30; // what boot.S maps before the PMM runs

inline lib::VirtAddr to_virt(lib::PhysAddr phys) { return lib::VirtAddr(HHDM_BASE + phys.value()); }

// A pointer to physical memory through the HHDM. Sound only for frames the HHDM covers; every
// caller names the invariant that guarantees it.
template <typename T> T* phys_to_ptr(lib::PhysAddr phys) {
    return reinterpret_cast<T*>(HHDM_BASE + phys.value());
}

} // namespace kernel::mm
