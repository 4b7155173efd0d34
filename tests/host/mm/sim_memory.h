// SimulatedPhysicalMemory: a stand-in for the HHDM in host tests. It reserves a large block of
// the test process's address space without committing it (MAP_NORESERVE); only the pages the
// allocators actually touch (bitmaps, page tables, zeroed frames) ever use host memory, so a
// test can describe a machine with many GiB of RAM.
#pragma once

#include <sys/mman.h>

#include <cstdint>

#include "kernel/mm/direct_map.h"

namespace mm_test {

class SimulatedPhysicalMemory {
public:
    static constexpr uint64_t SIZE = uint64_t(64) << 30; // physical addresses [0, 64 GiB)

    SimulatedPhysicalMemory() {
        m_base = mmap(nullptr, SIZE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m_base == MAP_FAILED)
            m_base = nullptr;
    }
    ~SimulatedPhysicalMemory() {
        if (m_base)
            munmap(m_base, SIZE);
    }
    SimulatedPhysicalMemory(const SimulatedPhysicalMemory&) = delete;
    SimulatedPhysicalMemory& operator=(const SimulatedPhysicalMemory&) = delete;

    bool ok() const { return m_base != nullptr; }
    // Physical address p appears at m_base + p.
    kernel::mm::DirectMap window() const {
        return kernel::mm::DirectMap(reinterpret_cast<uintptr_t>(m_base));
    }

private:
    void* m_base = nullptr;
};

} // namespace mm_test
