// lib::Allocator over libmnos's heap, for the engine: malloc's blocks are 16-byte aligned;
// a stricter alignment is had by over-allocating and keeping the block's start just before the
// aligned address.
#pragma once

#include <cstdint>

#include "lib/allocator.h"
#include "user/libmnos/heap.h"

namespace wasm_host {

class HeapAllocator final : public lib::Allocator {
public:
    void* allocate(size_t size, size_t align) override {
        if (align <= 16)
            return malloc(size ? size : 1);
        if (size > SIZE_MAX - align - sizeof(void*))
            return nullptr;
        auto* raw = static_cast<uint8_t*>(malloc(size + align + sizeof(void*)));
        if (!raw)
            return nullptr;
        uintptr_t aligned = (reinterpret_cast<uintptr_t>(raw) + sizeof(void*) + align - 1) &
                            ~uintptr_t(align - 1);
        // Sound: `aligned` lies inside the block, at least a pointer past its start.
        reinterpret_cast<void**>(aligned)[-1] = raw;
        return reinterpret_cast<void*>(aligned);
    }
    void deallocate(void* block, size_t, size_t align) override {
        if (!block)
            return;
        free(align <= 16 ? block : static_cast<void**>(block)[-1]);
    }
};

} // namespace wasm_host
