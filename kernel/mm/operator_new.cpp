// The global operator new/delete of the kernel, over kernel_heap(). Kernel build only: host
// tests keep the C++ runtime's own.
//
// Throwing forms cannot report failure (no exceptions) and must not return null, so they call
// heap_allocation_failed(). Kernel code that can recover from OOM uses new (std::nothrow) or
// Heap::allocate() directly.
#include <cstddef>
#include <new>

#include "kernel/mm/kernel_heap.h"

namespace {

using kernel::mm::kernel_heap;

// The alignment plain new guarantees, which is also what plain delete passes back.
constexpr size_t DEFAULT_ALIGN = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

void* allocate_or_null(size_t size, size_t align) {
    auto result = kernel_heap().allocate(size, align);
    return result ? *result : nullptr;
}

void* allocate_or_die(size_t size, size_t align) {
    auto result = kernel_heap().allocate(size, align);
    if (!result)
        kernel::mm::heap_allocation_failed(size, align);
    return *result;
}

void release(void* ptr) {
    if (!ptr)
        return;
    if (auto result = kernel_heap().deallocate(ptr); !result)
        kernel::mm::heap_free_failed(ptr, result.error());
}

// Sized forms let the heap check the size against its record: a mismatch is a bug (deleting
// through the wrong type) that would otherwise go unnoticed.
void release_sized(void* ptr, size_t size, size_t align) {
    if (!ptr)
        return;
    if (auto result = kernel_heap().deallocate(ptr, size, align); !result)
        kernel::mm::heap_free_failed(ptr, result.error());
}

} // namespace

void* operator new(size_t size) { return allocate_or_die(size, DEFAULT_ALIGN); }
void* operator new[](size_t size) { return allocate_or_die(size, DEFAULT_ALIGN); }
void* operator new(size_t size, std::align_val_t align) {
    return allocate_or_die(size, size_t(align));
}
void* operator new[](size_t size, std::align_val_t align) {
    return allocate_or_die(size, size_t(align));
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, DEFAULT_ALIGN);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, DEFAULT_ALIGN);
}
void* operator new(size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, size_t(align));
}
void* operator new[](size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    return allocate_or_null(size, size_t(align));
}

void operator delete(void* ptr) noexcept { release(ptr); }
void operator delete[](void* ptr) noexcept { release(ptr); }
void operator delete(void* ptr, size_t size) noexcept { release_sized(ptr, size, DEFAULT_ALIGN); }
void operator delete[](void* ptr, size_t size) noexcept {
    release_sized(ptr, size, DEFAULT_ALIGN);
}
void operator delete(void* ptr, std::align_val_t) noexcept { release(ptr); }
void operator delete[](void* ptr, std::align_val_t) noexcept { release(ptr); }
void operator delete(void* ptr, size_t size, std::align_val_t align) noexcept {
    release_sized(ptr, size, size_t(align));
}
void operator delete[](void* ptr, size_t size, std::align_val_t align) noexcept {
    release_sized(ptr, size, size_t(align));
}
void operator delete(void* ptr, const std::nothrow_t&) noexcept { release(ptr); }
void operator delete[](void* ptr, const std::nothrow_t&) noexcept { release(ptr); }
void operator delete(void* ptr, std::align_val_t, const std::nothrow_t&) noexcept { release(ptr); }
void operator delete[](void* ptr, std::align_val_t, const std::nothrow_t&) noexcept {
    release(ptr);
}
