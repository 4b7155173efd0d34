// DirectMap: turns a physical address into a pointer the allocators can write through.
//
// The allocator code never dereferences a physical address itself. In the kernel the window is
// the HHDM (all physical memory mapped at one fixed offset); on the host it is a reserved block
// of the test process's address space that simulates physical memory. Both are "physical
// address + constant offset", so one wrapping addition covers both.
#pragma once

#include <cstdint>

#include "lib/address.h"

namespace kernel::mm {

class DirectMap {
public:
    constexpr DirectMap() = default;
    // `offset` is the virtual address at which physical address 0 appears. Host tests pass
    // (simulation base - simulated physical base), which may wrap; unsigned arithmetic makes
    // that well defined.
    constexpr explicit DirectMap(uint64_t offset) : m_offset(offset) {}

    constexpr uint64_t offset() const { return m_offset; }
    constexpr lib::VirtAddr to_virt(lib::PhysAddr phys) const {
        return lib::VirtAddr(phys.value() + m_offset);
    }
    constexpr lib::PhysAddr to_phys(lib::VirtAddr virt) const {
        return lib::PhysAddr(virt.value() - m_offset);
    }

    // The cast is sound because the owner of this DirectMap guarantees that every physical
    // address the allocators ask about lies inside the window, which is mapped read/write.
    template <typename T> T* ptr(lib::PhysAddr phys) const {
        return reinterpret_cast<T*>(static_cast<uintptr_t>(phys.value() + m_offset));
    }

private:
    uint64_t m_offset = 0;
};

} // namespace kernel::mm
