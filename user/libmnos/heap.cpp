#include "user/libmnos/heap.h"

#include <cstdint>
#include <new>

#include "user/libmnos/layout.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/spin_lock.h"

namespace mnos::heap {

namespace {

constexpr size_t HEADER = 16; // keeps every block 16-byte aligned, as malloc must
constexpr size_t CLASSES = 8; // 16, 32, ... 2048 bytes of payload
constexpr size_t SMALL_MAX = size_t(16) << (CLASSES - 1);
constexpr uint64_t CHUNK_PAGES = 16;
constexpr uint64_t LARGE = 0x4c41524745; // a header tag no size class has

// In front of every block: its class (0..CLASSES-1) or LARGE with its page count.
struct Header {
    uint64_t kind;
    uint64_t pages;
};
// A free block keeps the header's first word (FREED, so a second free is caught) and links
// through the second.
constexpr uint64_t FREED = CLASSES;
struct FreeBlock {
    uint64_t kind;
    FreeBlock* next;
};

SpinLock g_lock;
FreeBlock* g_free[CLASSES] = {};
uint64_t g_chunk_next = layout::HEAP_BASE;
Statistics g_stats = {};

size_t class_of(size_t size) {
    size_t c = 0;
    while ((size_t(16) << c) < size)
        ++c;
    return c;
}

size_t block_size(size_t c) { return HEADER + (size_t(16) << c); }

// A new chunk cut into blocks of class `c`, onto its free list. With the lock held.
bool refill(size_t c) {
    uint64_t base = g_chunk_next;
    if (base + CHUNK_PAGES * layout::PAGE > layout::HEAP_END)
        return false;
    if (!map_fresh(service_caps::BUDGET, service_caps::SELF, base, CHUNK_PAGES, MAP_WRITE)) {
        (void)sys::unmap_memory(service_caps::SELF, base, CHUNK_PAGES);
        return false;
    }
    g_chunk_next += CHUNK_PAGES * layout::PAGE;
    ++g_stats.chunks;
    size_t size = block_size(c);
    for (uint64_t at = base; at + size <= base + CHUNK_PAGES * layout::PAGE; at += size) {
        // Sound: `at` lies inside the chunk just mapped writable, aligned to 16.
        auto* block = reinterpret_cast<FreeBlock*>(at);
        block->kind = FREED;
        block->next = g_free[c];
        g_free[c] = block;
    }
    return true;
}

void* allocate_small(size_t size) {
    size_t c = class_of(size);
    LockGuard guard(g_lock);
    if (!g_free[c] && !refill(c))
        return nullptr;
    FreeBlock* block = g_free[c];
    g_free[c] = block->next;
    ++g_stats.small_in_use;
    // Sound: a free block is HEADER + payload bytes of mapped, writable heap.
    auto* header = reinterpret_cast<Header*>(block);
    *header = {c, 0};
    return reinterpret_cast<uint8_t*>(header) + HEADER;
}

void* allocate_large(size_t size) {
    uint64_t pages = (size + HEADER + layout::PAGE - 1) / layout::PAGE;
    auto base = allocate_pages(pages);
    if (!base)
        return nullptr;
    auto* header = static_cast<Header*>(*base);
    *header = {LARGE, pages};
    {
        LockGuard guard(g_lock);
        ++g_stats.large_in_use;
    }
    return reinterpret_cast<uint8_t*>(header) + HEADER;
}

Header* header_of(void* block) {
    // Sound: every block handed out sits HEADER bytes after its header.
    return reinterpret_cast<Header*>(static_cast<uint8_t*>(block) - HEADER);
}

size_t capacity_of(const Header& header) {
    return header.kind == LARGE ? header.pages * layout::PAGE - HEADER : size_t(16) << header.kind;
}

[[noreturn]] void corrupt(const char* what) {
    static const char prefix[] = "heap: ";
    (void)sys::debug_log(prefix, sizeof prefix - 1);
    (void)sys::debug_log(what, __builtin_strlen(what));
    sys::exit(134);
}

} // namespace

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
        {
            LockGuard guard(g_lock);
            --g_stats.large_in_use;
        }
        free_pages(header, header->pages);
        return;
    }
    if (header->kind == FREED)
        corrupt("double free\n");
    if (header->kind >= CLASSES)
        corrupt("free of a block that malloc did not return\n");
    size_t c = header->kind;
    LockGuard guard(g_lock);
    auto* free_block = reinterpret_cast<FreeBlock*>(header);
    free_block->kind = FREED;
    free_block->next = g_free[c];
    g_free[c] = free_block;
    --g_stats.small_in_use;
}

Statistics statistics() {
    LockGuard guard(g_lock);
    return g_stats;
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

} // namespace mnos::heap

extern "C" {

void* malloc(size_t size) noexcept { return mnos::heap::allocate(size); }
void free(void* block) noexcept { mnos::heap::release(block); }
void* realloc(void* block, size_t size) noexcept { return mnos::heap::resize(block, size); }
void* calloc(size_t count, size_t size) noexcept {
    if (size && count > SIZE_MAX / size)
        return nullptr;
    void* block = mnos::heap::allocate(count * size);
    if (block)
        __builtin_memset(block, 0, count * size); // recycled small blocks are not zero
    return block;
}

} // extern "C"

// Without exceptions, a failed plain new cannot throw: it ends the program with a message, the
// way an unhandled std::bad_alloc would. The nothrow forms return null.
namespace {
[[noreturn]] void out_of_memory() {
    static const char message[] = "operator new: out of memory\n";
    (void)mnos::sys::debug_log(message, sizeof message - 1);
    mnos::sys::exit(134);
}
void* checked(size_t size) {
    void* block = malloc(size);
    if (!block)
        out_of_memory();
    return block;
}
} // namespace

void* operator new(size_t size) { return checked(size); }
void* operator new[](size_t size) { return checked(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return malloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return malloc(size); }
void operator delete(void* block) noexcept { free(block); }
void operator delete[](void* block) noexcept { free(block); }
void operator delete(void* block, size_t) noexcept { free(block); }
void operator delete[](void* block, size_t) noexcept { free(block); }
