// The allocator behind libmnos's malloc and operator new, as a class over its two dependencies
// so that the host tests run the same code on many threads: small blocks (up to 2 KiB) come
// from per-size free lists carved out of chunks; larger ones are runs of pages of their own,
// returned when freed. Every block is 16-byte aligned. A double free, or a free of a pointer
// the heap did not hand out as a small or large block, is caught and reported.
//
// Backend provides:
//   void* map_chunk(size_t bytes)              fresh writable memory for small blocks, or null
//   void* map_large(uint64_t pages)            fresh writable pages, or null
//   void unmap_large(void* base, uint64_t pages)
//   [[noreturn]] void corrupt(const char* why) the heap found a misuse
// Lock is a lock with lock() and unlock().
#pragma once

#include <cstddef>
#include <cstdint>

namespace lib {

template <typename Backend, typename Lock> class SizeClassHeap {
public:
    static constexpr size_t HEADER = 16;
    static constexpr size_t CLASSES = 8; // 16, 32, ... 2048 bytes of payload
    static constexpr size_t SMALL_MAX = size_t(16) << (CLASSES - 1);
    static constexpr size_t CHUNK_BYTES = 64 * 1024;
    static constexpr size_t PAGE = 4096;

    struct Statistics {
        size_t small_in_use; // blocks
        size_t large_in_use; // blocks
        size_t chunks;       // mapped for small blocks
    };

    constexpr explicit SizeClassHeap(Backend& backend) : m_backend(backend) {}

    void* allocate(size_t size) {
        if (size == 0)
            size = 1;
        if (size > SIZE_MAX / 2)
            return nullptr;
        return size <= SMALL_MAX ? allocate_small(size) : allocate_large(size);
    }

    void release(void* block) {
        if (!block)
            return;
        Header* header = header_of(block);
        if (header->kind == LARGE) {
            uint64_t pages = header->pages;
            header->kind = FREED_LARGE;
            {
                Guard guard(m_lock);
                --m_stats.large_in_use;
            }
            m_backend.unmap_large(header, pages);
            return;
        }
        if (header->kind == FREED)
            m_backend.corrupt("double free");
        if (header->kind >= CLASSES)
            m_backend.corrupt("free of a block that malloc did not return");
        size_t c = header->kind;
        Guard guard(m_lock);
        auto* free_block = reinterpret_cast<FreeBlock*>(header);
        free_block->kind = FREED;
        free_block->next = m_free[c];
        m_free[c] = free_block;
        --m_stats.small_in_use;
    }

    void* resize(void* block, size_t size) {
        if (!block)
            return allocate(size);
        size_t have = capacity_of(*header_of(block));
        if (size <= have)
            return block;
        void* bigger = allocate(size);
        if (bigger) {
            __builtin_memcpy(bigger, block, have);
            release(block);
        }
        return bigger;
    }

    // How many bytes `block` can hold (at least what was asked for).
    size_t capacity(void* block) const { return capacity_of(*header_of(block)); }

    Statistics statistics() {
        Guard guard(m_lock);
        return m_stats;
    }

private:
    static constexpr uint64_t LARGE = 0x4c41524745; // a header tag no size class has
    static constexpr uint64_t FREED = CLASSES;      // a free small block's tag
    static constexpr uint64_t FREED_LARGE = LARGE + 1;

    // In front of every block: its class (0..CLASSES-1) or LARGE with its page count.
    struct Header {
        uint64_t kind;
        uint64_t pages;
    };
    // A free block keeps the header's first word (FREED, so a second free is caught) and
    // links through the second.
    struct FreeBlock {
        uint64_t kind;
        FreeBlock* next;
    };

    class Guard {
    public:
        explicit Guard(Lock& lock) : m_held(lock) { m_held.lock(); }
        ~Guard() { m_held.unlock(); }
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;

    private:
        Lock& m_held;
    };

    static size_t class_of(size_t size) {
        size_t c = 0;
        while ((size_t(16) << c) < size)
            ++c;
        return c;
    }
    static size_t block_size(size_t c) { return HEADER + (size_t(16) << c); }

    static Header* header_of(void* block) {
        // Sound: every block handed out sits HEADER bytes after its header.
        return reinterpret_cast<Header*>(static_cast<uint8_t*>(block) - HEADER);
    }
    static size_t capacity_of(const Header& header) {
        return header.kind == LARGE ? header.pages * PAGE - HEADER : size_t(16) << header.kind;
    }

    // A new chunk cut into blocks of class `c`, onto its free list. With the lock held.
    bool refill(size_t c) {
        auto* base = static_cast<uint8_t*>(m_backend.map_chunk(CHUNK_BYTES));
        if (!base)
            return false;
        ++m_stats.chunks;
        size_t size = block_size(c);
        for (size_t at = 0; at + size <= CHUNK_BYTES; at += size) {
            // Sound: `base + at` lies inside the chunk just mapped writable, aligned to 16.
            auto* block = reinterpret_cast<FreeBlock*>(base + at);
            block->kind = FREED;
            block->next = m_free[c];
            m_free[c] = block;
        }
        return true;
    }

    void* allocate_small(size_t size) {
        size_t c = class_of(size);
        Guard guard(m_lock);
        if (!m_free[c] && !refill(c))
            return nullptr;
        FreeBlock* block = m_free[c];
        m_free[c] = block->next;
        ++m_stats.small_in_use;
        // Sound: a free block is HEADER + payload bytes of mapped, writable heap.
        auto* header = reinterpret_cast<Header*>(block);
        *header = {c, 0};
        return reinterpret_cast<uint8_t*>(header) + HEADER;
    }

    void* allocate_large(size_t size) {
        uint64_t pages = (size + HEADER + PAGE - 1) / PAGE;
        void* base = m_backend.map_large(pages);
        if (!base)
            return nullptr;
        auto* header = static_cast<Header*>(base);
        *header = {LARGE, pages};
        {
            Guard guard(m_lock);
            ++m_stats.large_in_use;
        }
        return reinterpret_cast<uint8_t*>(header) + HEADER;
    }

    Backend& m_backend;
    Lock m_lock;
    FreeBlock* m_free[CLASSES] = {};
    Statistics m_stats = {};
};

} // namespace lib
