// The kernel heap; see heap.h for the block layout and the error rules.
#include "kernel/mm/heap.h"

#include <algorithm>
#include <bit>

namespace kernel::mm {

namespace {

using lib::Error;

// "HEAPUSED" / "HEAPFREE"; XORed with the header's address so a header copied elsewhere, or a
// stale pointer into the middle of a block, does not pass for a real one.
constexpr uint64_t USED_MAGIC = 0x4445535550414548;
constexpr uint64_t FREE_MAGIC = 0x4545524650414548;
// The allocation's alignment is kept as log2 in the top byte of the requested-size word.
constexpr unsigned ALIGN_SHIFT = 56;
constexpr uint64_t SIZE_MASK = (uint64_t(1) << ALIGN_SHIFT) - 1;

constexpr uintptr_t align_up(uintptr_t v, uintptr_t a) { return (v + a - 1) & ~(a - 1); }

} // namespace

struct Heap::BlockHeader {
    uint64_t size;          // the whole block, header included; a multiple of MIN_ALIGN
    uint64_t tag;           // USED_MAGIC or FREE_MAGIC, XOR this header's address
    BlockHeader* next_free; // free blocks: the next free block, at a higher address
    uint64_t request;       // allocated blocks: requested size | log2(alignment) << ALIGN_SHIFT

    uintptr_t address() const { return reinterpret_cast<uintptr_t>(this); }
    uintptr_t end() const { return address() + size; }
    bool is_used() const { return tag == (USED_MAGIC ^ address()); }
    bool is_free() const { return tag == (FREE_MAGIC ^ address()); }
};
Heap::BlockHeader* Heap::header_at(uintptr_t address) const {
    static_assert(sizeof(BlockHeader) == HEADER_SIZE);
    // Sound: callers pass addresses inside [m_base, m_end), which the grower made writable, that
    // are MIN_ALIGN aligned (enough for the header's 8-byte fields) and at least HEADER_SIZE
    // before m_end.
    return reinterpret_cast<BlockHeader*>(address);
}

lib::Result<void> Heap::init(lib::VirtAddr base, size_t limit, HeapGrower& grower,
                             size_t initial_bytes) {
    Guard guard(m_lock);
    uintptr_t start = base.value();
    if (m_grower || !base.is_aligned(lib::PAGE_SIZE) || limit == 0 || limit % lib::PAGE_SIZE ||
        start + limit < start || initial_bytes > limit)
        return lib::fail(Error::InvalidArgument);
    m_grower = &grower;
    m_base = m_end = start;
    m_limit = start + limit;
    if (initial_bytes)
        TRY(extend_locked(align_up(initial_bytes, lib::PAGE_SIZE)));
    return {};
}

lib::Result<void*> Heap::allocate(size_t size, size_t align) {
    if (!std::has_single_bit(align))
        return lib::fail(Error::InvalidArgument);
    align = std::max(align, MIN_ALIGN);
    Guard guard(m_lock);
    if (!m_grower)
        return lib::fail(Error::InvalidArgument);
    // Anything larger than the whole range cannot fit; checking here also keeps the address
    // arithmetic below far from overflow.
    if (size > m_limit - m_base || align > m_limit - m_base)
        return lib::fail(Error::OutOfMemory);
    return allocate_locked(size, align);
}

lib::Result<void*> Heap::allocate_locked(size_t size, size_t align) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        for (BlockHeader** link = &m_free_list; *link; link = &(*link)->next_free) {
            if (void* payload = carve(*link, link, size, align))
                return payload;
        }
        if (attempt == 0)
            TRY(grow_locked(size, align));
    }
    // grow_locked() adds room for the worst-case placement, so this is not expected.
    return lib::fail(Error::OutOfMemory);
}

void* Heap::carve(BlockHeader* block, BlockHeader** link, size_t size, size_t align) {
    const uintptr_t start = block->address();
    const uintptr_t end = block->end();
    // The header sits right before the aligned payload. A gap in front must be able to stand
    // alone as a free block, so a gap smaller than MIN_BLOCK moves the payload one step further.
    uintptr_t head = align_up(start + HEADER_SIZE, align) - HEADER_SIZE;
    while (head != start && head - start < MIN_BLOCK)
        head += align;
    if (head >= end || end - head < HEADER_SIZE || end - head - HEADER_SIZE < size)
        return nullptr;
    uintptr_t tail = align_up(head + HEADER_SIZE + size, MIN_ALIGN);
    tail = std::max(tail, head + MIN_BLOCK);
    if (tail > end)
        return nullptr;
    // A remainder too small to be a block stays inside the allocation as padding.
    if (end - tail < MIN_BLOCK)
        tail = end;

    BlockHeader* next = block->next_free;
    size_t pieces = 0;
    if (tail < end) {
        BlockHeader* rest = header_at(tail);
        rest->size = end - tail;
        rest->tag = FREE_MAGIC ^ tail;
        rest->next_free = next;
        rest->request = 0;
        next = rest;
        ++pieces;
    }
    if (head > start) {
        block->size = head - start; // the front gap stays in the list where the block was
        block->next_free = next;
        ++pieces;
    } else {
        *link = next;
    }

    BlockHeader* used = header_at(head);
    used->size = tail - head;
    used->tag = USED_MAGIC ^ head;
    used->next_free = nullptr;
    used->request = size | (uint64_t(std::countr_zero(align)) << ALIGN_SHIFT);

    m_stats.free_blocks = m_stats.free_blocks + pieces - 1;
    m_stats.bytes_free -= used->size;
    m_stats.bytes_in_use += used->size;
    m_stats.bytes_requested += size;
    ++m_stats.allocated_blocks;
    // Sound: the payload lies inside the block just carved out of mapped heap memory.
    return reinterpret_cast<void*>(head + HEADER_SIZE);
}

lib::Result<void> Heap::grow_locked(size_t size, size_t align) {
    // Enough for the worst placement carve() can choose in a fresh block: a front gap below
    // align + MIN_BLOCK, the header, the payload, and tail rounding.
    size_t need = align_up(size + align + HEADER_SIZE + 2 * MIN_BLOCK, lib::PAGE_SIZE);
    size_t room = m_limit - m_end;
    if (need > room)
        return lib::fail(Error::OutOfMemory);
    return extend_locked(std::min(std::max(need, GROW_CHUNK), room));
}

lib::Result<void> Heap::extend_locked(size_t bytes) {
    TRY(m_grower->grow(lib::VirtAddr(m_end), bytes));

    BlockHeader* fresh = header_at(m_end);
    fresh->size = bytes;
    fresh->request = 0;
    m_end += bytes;
    m_stats.mapped_bytes += bytes;
    // Cannot overlap anything: the block lies beyond every existing one.
    return release(fresh);
}

lib::Result<void> Heap::release(BlockHeader* block) {
    const uintptr_t start = block->address();
    const uintptr_t end = block->end();
    BlockHeader* prev = nullptr;
    BlockHeader** link = &m_free_list;
    while (*link && (*link)->address() < start) {
        prev = *link;
        link = &prev->next_free;
    }
    BlockHeader* next = *link;
    // Overlapping a free block means this memory is (partly) free already.
    if ((prev && prev->end() > start) || (next && next->address() < end))
        return lib::fail(Error::DoubleFree);

    block->tag = FREE_MAGIC ^ start;
    block->next_free = next;
    *link = block;
    m_stats.bytes_free += block->size;
    ++m_stats.free_blocks;
    // Merged-away headers lose their tag, so a later free of the old pointer cannot mistake the
    // stale bytes for a live block.
    if (next && next->address() == end) {
        block->size += next->size;
        block->next_free = next->next_free;
        next->tag = 0;
        --m_stats.free_blocks;
    }
    if (prev && prev->end() == start) {
        prev->size += block->size;
        prev->next_free = block->next_free;
        block->tag = 0;
        --m_stats.free_blocks;
    }
    return {};
}

lib::Result<Heap::BlockHeader*> Heap::find_allocated(void* ptr) {
    uintptr_t payload = reinterpret_cast<uintptr_t>(ptr);
    if (payload % MIN_ALIGN || payload < m_base + HEADER_SIZE || payload >= m_end)
        return lib::fail(Error::InvalidArgument);
    uintptr_t head = payload - HEADER_SIZE;
    BlockHeader* block = header_at(head);
    if (block->is_used() && block->size >= MIN_BLOCK && block->size <= m_end - head)
        return block;
    // Not a live block: a pointer into free memory is a double free (or a use of a pointer after
    // its block was freed and merged); anything else was never returned by allocate().
    for (BlockHeader* free = m_free_list; free; free = free->next_free) {
        if (head >= free->address() && head < free->end())
            return lib::fail(Error::DoubleFree);
    }
    return lib::fail(Error::InvalidArgument);
}

lib::Result<void> Heap::free_block_locked(BlockHeader* block) {
    size_t size = block->size;
    size_t requested = block->request & SIZE_MASK;
    TRY(release(block));
    m_stats.bytes_in_use -= size;
    m_stats.bytes_requested -= requested;
    --m_stats.allocated_blocks;
    return {};
}

lib::Result<void> Heap::deallocate(void* ptr) {
    Guard guard(m_lock);
    BlockHeader* block = TRY(find_allocated(ptr));
    return free_block_locked(block);
}

lib::Result<void> Heap::deallocate(void* ptr, size_t size, size_t align) {
    if (!std::has_single_bit(align))
        return lib::fail(Error::InvalidArgument);
    Guard guard(m_lock);
    BlockHeader* block = TRY(find_allocated(ptr));
    uint64_t log2_align = std::countr_zero(std::max(align, MIN_ALIGN));
    if (block->request != (size | (log2_align << ALIGN_SHIFT)))
        return lib::fail(Error::InvalidArgument);
    return free_block_locked(block);
}

HeapStats Heap::stats() const {
    Guard guard(m_lock);
    return m_stats;
}

bool Heap::owns(const void* ptr) const {
    Guard guard(m_lock);
    uintptr_t address = reinterpret_cast<uintptr_t>(ptr);
    return address >= m_base && address < m_end;
}

const char* Heap::check_invariants() const {
    Guard guard(m_lock);
    if (m_stats.mapped_bytes != m_end - m_base)
        return "mapped_bytes differs from the grown range";
    HeapStats seen;
    const BlockHeader* expected_free = m_free_list;
    bool previous_free = false;
    uintptr_t address = m_base;
    while (address < m_end) {
        if (m_end - address < MIN_BLOCK)
            return "a block starts too close to the end of the heap";
        const BlockHeader* block = header_at(address);
        if (block->size < MIN_BLOCK || block->size % MIN_ALIGN || block->size > m_end - address)
            return "a block has an impossible size (blocks overlap or leave a gap)";
        if (block->is_free()) {
            if (block != expected_free)
                return "a free block is missing from the free list or the list is out of order";
            if (previous_free)
                return "two adjacent free blocks were not coalesced";
            expected_free = block->next_free;
            seen.bytes_free += block->size;
            ++seen.free_blocks;
            previous_free = true;
        } else if (block->is_used()) {
            size_t requested = block->request & SIZE_MASK;
            size_t align = size_t(1) << (block->request >> ALIGN_SHIFT);
            if ((address + HEADER_SIZE) % align)
                return "an allocation's payload is misaligned";
            if (requested > block->size - HEADER_SIZE)
                return "an allocation is larger than its block";
            seen.bytes_in_use += block->size;
            seen.bytes_requested += requested;
            ++seen.allocated_blocks;
            previous_free = false;
        } else {
            return "a block header has a corrupt tag";
        }
        address += block->size;
    }
    if (expected_free)
        return "the free list holds a block that is not in the heap";
    if (seen.bytes_free != m_stats.bytes_free || seen.free_blocks != m_stats.free_blocks)
        return "free-memory accounting is off";
    if (seen.bytes_in_use != m_stats.bytes_in_use ||
        seen.bytes_requested != m_stats.bytes_requested ||
        seen.allocated_blocks != m_stats.allocated_blocks)
        return "allocated-memory accounting is off";
    if (seen.bytes_in_use + seen.bytes_free != m_stats.mapped_bytes)
        return "blocks do not cover the mapped range exactly";
    return nullptr;
}

} // namespace kernel::mm
