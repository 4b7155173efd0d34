// The heap: malloc/free and operator new/delete for Ring 3 programs, over memory mapped from
// the process's budget (memory.h). Thread-safe. Small blocks (up to 2 KiB) come from per-size
// free lists carved out of 64 KiB chunks; larger ones are whole pages of their own, returned to
// the budget when freed.
#pragma once

#include <cstddef>

extern "C" {
void* malloc(size_t size) noexcept;
void* calloc(size_t count, size_t size) noexcept;
void* realloc(void* block, size_t size) noexcept;
void free(void* block) noexcept;
}

namespace mnos::heap {

void* allocate(size_t size);           // malloc
void release(void* block);             // free
void* resize(void* block, size_t size); // realloc

struct Statistics {
    size_t small_in_use; // blocks
    size_t large_in_use; // blocks
    size_t chunks;       // 64 KiB chunks mapped for small blocks
};
Statistics statistics();

} // namespace mnos::heap
