// lib::Allocator over the C++ runtime's heap, for host programs (wasm-run, fuzz targets, tests)
// that embed code from lib/. Freestanding builds supply their own allocator instead.
#pragma once

#include <cstddef>
#include <new>

#include "lib/allocator.h"

namespace host {

class MallocAllocator final : public lib::Allocator {
public:
    void* allocate(size_t size, size_t align) override {
        return ::operator new(size == 0 ? 1 : size, std::align_val_t(align), std::nothrow);
    }
    void deallocate(void* ptr, size_t, size_t align) override {
        ::operator delete(ptr, std::align_val_t(align));
    }
};

} // namespace host
