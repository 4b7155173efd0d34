// Allocator: the one way freestanding library code obtains memory. The embedder supplies it
// (the kernel heap, the userspace heap, or malloc in host tools and tests), so lib/ never
// depends on a particular heap.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

namespace lib {

class Allocator {
public:
    // Returns nullptr when no memory is left; `align` is a power of two.
    virtual void* allocate(size_t size, size_t align) = 0;
    // `size` and `align` are the values given to the allocate() call that returned `ptr`.
    virtual void deallocate(void* ptr, size_t size, size_t align) = 0;

protected:
    // Not virtual: allocators are never destroyed through this interface, and a virtual
    // destructor would pull in operator delete, which freestanding builds do not have.
    ~Allocator() = default;
};

// Constructs a T in memory from `a`; nullptr when out of memory.
template <typename T, typename... Args> T* make(Allocator& a, Args&&... args) {
    void* p = a.allocate(sizeof(T), alignof(T));
    if (!p)
        return nullptr;
    return new (p) T(std::forward<Args>(args)...);
}

template <typename T> void destroy(Allocator& a, T* p) {
    if (!p)
        return;
    p->~T();
    a.deallocate(p, sizeof(T), alignof(T));
}

} // namespace lib
