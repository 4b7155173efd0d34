// Heap: the kernel heap, a first-fit allocator over one virtual range with an address-ordered
// free list that coalesces neighbours on every free.
//
// Every block, free or allocated, starts with a 32-byte header; the blocks tile
// [base, base + mapped) exactly, which is what check_invariants() walks. The payload of an
// allocated block starts right after its header, so an aligned allocation places the header
// `align` - 32 bytes before an aligned address and gives the gap in front back to the free list.
//
// Headers carry a tag: a magic number XORed with the header's own address, one magic for free
// blocks and one for allocated ones. A free of a pointer whose header does not carry the
// allocated tag is reported (DoubleFree when the pointer lies in free memory, InvalidArgument
// otherwise); nothing is ever freed on a guess.
//
// When no free block fits, the heap asks its HeapGrower to make more pages usable at the end of
// its range (in the kernel: map fresh PMM frames; on the host: unprotect part of an arena).
// Running out is an error the caller handles, never a panic.
//
// Lock order: the heap lock is held while the grower runs, so the grower may take the PMM and
// page-table locks but must never allocate from this heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/sync/spinlock.h"
#include "lib/address.h"
#include "lib/result.h"

namespace kernel::mm {

class HeapGrower {
public:
    // Makes [end, end + bytes) readable and writable; `bytes` is a multiple of PAGE_SIZE and the
    // range lies inside the heap's reserved range. On failure nothing may remain half-mapped
    // that the heap would later be asked to map again.
    virtual lib::Result<void> grow(lib::VirtAddr end, size_t bytes) = 0;

protected:
    ~HeapGrower() = default;
};

struct HeapStats {
    size_t mapped_bytes = 0;    // bytes_in_use + bytes_free, exactly
    size_t bytes_in_use = 0;    // allocated blocks, headers and padding included
    size_t bytes_requested = 0; // what callers asked for
    size_t bytes_free = 0;
    size_t allocated_blocks = 0;
    size_t free_blocks = 0;
};

class Heap {
public:
    static constexpr size_t HEADER_SIZE = 32;
    static constexpr size_t MIN_ALIGN = 16; // also the granularity of block sizes
    static constexpr size_t MIN_BLOCK = HEADER_SIZE + MIN_ALIGN;
    // The heap grows by at least this much at a time, so small allocations do not map one page
    // per call.
    static constexpr size_t GROW_CHUNK = 64 * 1024;

    constexpr Heap() = default;
    Heap(const Heap&) = delete;
    Heap& operator=(const Heap&) = delete;

    // `base` (page aligned) starts a reserved virtual range of `limit` bytes of which nothing is
    // usable yet; `initial_bytes` are grown right away. InvalidArgument for a bad range or a
    // second init; the grower's error if the initial growth fails.
    lib::Result<void> init(lib::VirtAddr base, size_t limit, HeapGrower& grower,
                           size_t initial_bytes = 0);

    // `size` bytes aligned to `align` (a power of two; anything below MIN_ALIGN means MIN_ALIGN).
    // A zero size still yields a unique pointer. OutOfMemory when the range is exhausted or the
    // grower fails; InvalidArgument for an alignment that is not a power of two.
    lib::Result<void*> allocate(size_t size, size_t align = MIN_ALIGN);
    // Unsized free. DoubleFree / InvalidArgument as described above.
    lib::Result<void> deallocate(void* ptr);
    // Sized free: additionally InvalidArgument when size or alignment differ from the allocation.
    lib::Result<void> deallocate(void* ptr, size_t size, size_t align = MIN_ALIGN);

    HeapStats stats() const;
    bool owns(const void* ptr) const;
    // Walks every block and the free list; returns nullptr when the heap is consistent, else a
    // description of the first violation found (for tests and a debug shell).
    const char* check_invariants() const;

private:
    struct BlockHeader;

    lib::Result<void*> allocate_locked(size_t size, size_t align) REQUIRES(m_lock);
    void* carve(BlockHeader* block, BlockHeader** link, size_t size, size_t align)
        REQUIRES(m_lock);
    // Grows by enough for one allocation of `size` at `align`, and by at least GROW_CHUNK.
    lib::Result<void> grow_locked(size_t size, size_t align) REQUIRES(m_lock);
    // Grows by exactly `bytes` (a multiple of PAGE_SIZE that fits the reserved range).
    lib::Result<void> extend_locked(size_t bytes) REQUIRES(m_lock);
    lib::Result<BlockHeader*> find_allocated(void* ptr) REQUIRES(m_lock);
    // Inserts a block into the free list, merging it with free neighbours.
    lib::Result<void> release(BlockHeader* block) REQUIRES(m_lock);
    // Frees a block find_allocated() returned and updates the allocated-side statistics.
    lib::Result<void> free_block_locked(BlockHeader* block) REQUIRES(m_lock);
    BlockHeader* header_at(uintptr_t address) const;

    mutable IrqSpinlock m_lock{LockRank::Heap};
    HeapGrower* m_grower GUARDED_BY(m_lock) = nullptr;
    uintptr_t m_base GUARDED_BY(m_lock) = 0;
    uintptr_t m_end GUARDED_BY(m_lock) = 0;   // end of the usable (grown) part
    uintptr_t m_limit GUARDED_BY(m_lock) = 0; // end of the reserved range
    BlockHeader* m_free_list GUARDED_BY(m_lock) = nullptr;
    HeapStats m_stats GUARDED_BY(m_lock);
};

} // namespace kernel::mm
