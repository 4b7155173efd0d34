#include "user/libmnos/heap.h"

#include <cstdint>
#include <new>

#include "lib/size_class_heap.h"
#include "user/libmnos/layout.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/spin_lock.h"

namespace mnos::heap {

namespace {

// Small blocks' chunks in their own region, one after another; large blocks and their guard
// pages in the page region (layout.h). Memory comes from this process's budget.
class BudgetBackend {
public:
    void* map_chunk(size_t bytes) {
        uint64_t pages = bytes / layout::PAGE;
        uint64_t base = m_chunk_next;
        if (base + bytes > layout::HEAP_END)
            return nullptr;
        if (!map_fresh(service_caps::BUDGET, service_caps::SELF, base, pages, MAP_WRITE)) {
            (void)sys::unmap_memory(service_caps::SELF, base, pages);
            return nullptr;
        }
        m_chunk_next += bytes;
        // Sound: the range was just mapped writable in this address space.
        return reinterpret_cast<void*>(base);
    }
    void* map_large(uint64_t pages) {
        auto base = allocate_pages(pages);
        return base ? *base : nullptr;
    }
    void unmap_large(void* base, uint64_t pages) { free_pages(base, pages); }
    [[noreturn]] void corrupt(const char* why) {
        static const char prefix[] = "heap: ";
        (void)sys::debug_log(prefix, sizeof prefix - 1);
        (void)sys::debug_log(why, __builtin_strlen(why));
        (void)sys::debug_log("\n", 1);
        sys::exit(134);
    }

private:
    uint64_t m_chunk_next = layout::HEAP_BASE; // under the heap's lock (only refill calls it)
};

constinit BudgetBackend g_backend; // constant-initialised: malloc works in global constructors
constinit lib::SizeClassHeap<BudgetBackend, SpinLock> g_heap{g_backend};

} // namespace

void* allocate(size_t size) { return g_heap.allocate(size); }
void release(void* block) { g_heap.release(block); }
void* resize(void* block, size_t size) { return g_heap.resize(block, size); }

Statistics statistics() {
    auto s = g_heap.statistics();
    return {s.small_in_use, s.large_in_use, s.chunks};
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
