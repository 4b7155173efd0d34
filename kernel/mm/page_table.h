// PageTable: x86_64 4-level paging (PML4 -> PDPT -> PD -> PT) as plain data manipulation.
//
// The tables are reached through a DirectMap and new tables come from a FrameAllocator, so this
// code runs unchanged in the kernel (HHDM + PMM) and on the host (simulated memory). It never
// touches CR3 or the TLB: operations that may leave a stale translation behind tell the caller,
// and AddressSpace forwards that to a TlbInvalidator.
//
// Intermediate tables are never freed by unmap(): freeing them would also need invalidation of
// the paging-structure caches. They go when their address space is torn down.
//
// Not thread-safe by itself: the owner of the tables (the address space, or the kernel's
// mapping lock) serialises changes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/mm/direct_map.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/page_flags.h"
#include "lib/address.h"
#include "lib/result.h"

namespace kernel::mm {

struct Translation {
    lib::PhysAddr phys; // the physical address of the byte asked about (offset included)
    PageFlags flags;
    PageSize size;
};

struct Unmapped {
    lib::PhysAddr phys; // the page's physical base, now owned by the caller again
    PageSize size;
    // The processor sets an entry's accessed bit before it caches a translation through it
    // (SDM Vol. 3A, 4.10.2.3); an entry removed while its accessed bit was clear cannot be in
    // any TLB, so no invalidation is needed.
    bool flush_needed;
};

class PageTable {
public:
    static constexpr size_t ENTRIES = 512;
    static constexpr size_t KERNEL_HALF_FIRST = 256; // PML4 slots 256..511 map the upper half

    PageTable(lib::PhysAddr root, DirectMap window, FrameAllocator& frames)
        : m_root(root), m_window(window), m_frames(&frames) {}

    // A new, empty top-level table.
    static lib::Result<PageTable> create(DirectMap window, FrameAllocator& frames);

    lib::PhysAddr root() const { return m_root; }
    DirectMap window() const { return m_window; }
    FrameAllocator& frames() const { return *m_frames; }

    // Maps one page. InvalidArgument for a non-canonical or misaligned address, a physical
    // address beyond 52 bits, or User together with Global; Exists when the page (or a large
    // page around it, or a page table where a large page should go) is already mapped;
    // OutOfMemory when a table cannot be allocated (tables already added stay, empty).
    lib::Result<void> map(lib::VirtAddr virt, lib::PhysAddr phys, PageFlags flags,
                          PageSize size = PageSize::Small);
    // Maps [virt, virt + bytes) to [phys, ...), with 2 MiB pages wherever both sides are 2 MiB
    // aligned and enough remains (the HHDM), 4 KiB pages elsewhere. Stops at the first error.
    lib::Result<void> map_range(lib::VirtAddr virt, lib::PhysAddr phys, uint64_t bytes,
                                PageFlags flags);
    // Removes the mapping that starts at `virt` (4 KiB or 2 MiB). NotFound when nothing is
    // mapped; InvalidArgument for an address inside a large page but not at its start (splitting
    // is not supported) or a non-canonical one; Unsupported for a 1 GiB page.
    lib::Result<Unmapped> unmap(lib::VirtAddr virt);
    // NotFound when nothing is mapped at `virt`.
    lib::Result<Translation> translate(lib::VirtAddr virt) const;
    // Changes the permissions of the page that starts at `virt`, keeping its address and size.
    // Returns whether a TLB invalidation is needed (same rule as Unmapped::flush_needed).
    lib::Result<bool> protect(lib::VirtAddr virt, PageFlags flags);

    // Gives every upper-half PML4 slot a PDPT now, so that kernel mappings made later never add
    // a PML4 entry and every address space that copied the upper half sees them.
    lib::Result<void> preallocate_kernel_half();
    // Frees the tables below PML4 slots [first, last) bottom-up (never the pages they map) and
    // clears those slots. Keeps going past errors and returns the first.
    lib::Result<void> free_tables(size_t first, size_t last);

    static bool is_canonical(lib::VirtAddr virt);
    // The table index `virt` selects at `level` (3 = PML4, 2 = PDPT, 1 = PD, 0 = PT).
    static size_t index(lib::VirtAddr virt, int level) {
        return (virt.value() >> (12 + 9 * level)) & (ENTRIES - 1);
    }

private:
    uint64_t* table(lib::PhysAddr frame) const;
    // The entry for `virt` at `level`, allocating missing tables above it; Exists when a large
    // page sits in the way.
    lib::Result<uint64_t*> walk_create(lib::VirtAddr virt, int level);
    // The leaf entry mapping `virt` and its level (0 or 1 or 2), or NotFound.
    lib::Result<uint64_t*> find_leaf(lib::VirtAddr virt, int* level) const;
    lib::Result<void> free_subtree(lib::PhysAddr table_frame, int level);

    lib::PhysAddr m_root;
    DirectMap m_window;
    FrameAllocator* m_frames;
};

} // namespace kernel::mm
