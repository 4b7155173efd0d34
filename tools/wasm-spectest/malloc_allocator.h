// lib::Allocator over the C library's aligned allocation, for host tools and tests.
#pragma once

#include <cstdlib>

#include "lib/allocator.h"

namespace host {

class MallocAllocator final : public lib::Allocator {
public:
    void* allocate(size_t size, size_t align) override {
        if (align < alignof(std::max_align_t))
            align = alignof(std::max_align_t);
        size = (size + align - 1) & ~(align - 1); // aligned_alloc wants a multiple of align
        return std::aligned_alloc(align, size ? size : align);
    }
    void deallocate(void* ptr, size_t, size_t) override { std::free(ptr); }
};

} // namespace host
