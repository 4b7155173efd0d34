// Vector<T>: a growable array over an lib::Allocator. Growth can fail, so push_back and
// resize report it instead of throwing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

#include "lib/allocator.h"

namespace lib {

template <typename T> class Vector {
public:
    Vector() = default;
    explicit Vector(Allocator* alloc) : alloc_(alloc) {}
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;
    Vector(Vector&& o) noexcept { take(o); }
    Vector& operator=(Vector&& o) noexcept {
        if (this != &o) {
            release();
            take(o);
        }
        return *this;
    }
    ~Vector() { release(); }

    void set_allocator(Allocator* alloc) { alloc_ = alloc; }
    Allocator* allocator() const { return alloc_; }

    size_t size() const { return size_; }
    size_t capacity() const { return cap_; }
    bool empty() const { return size_ == 0; }
    T* data() { return data_; }
    const T* data() const { return data_; }
    T& operator[](size_t i) { return data_[i]; }
    const T& operator[](size_t i) const { return data_[i]; }
    T& back() { return data_[size_ - 1]; }
    const T& back() const { return data_[size_ - 1]; }
    T* begin() { return data_; }
    T* end() { return data_ + size_; }
    const T* begin() const { return data_; }
    const T* end() const { return data_ + size_; }
    std::span<T> span() { return {data_, size_}; }
    std::span<const T> span() const { return {data_, size_}; }

    [[nodiscard]] bool reserve(size_t n) {
        if (n <= cap_)
            return true;
        if (!alloc_ || n > SIZE_MAX / sizeof(T))
            return false;
        T* fresh = static_cast<T*>(alloc_->allocate(n * sizeof(T), alignof(T)));
        if (!fresh)
            return false;
        for (size_t i = 0; i < size_; ++i) {
            new (&fresh[i]) T(std::move(data_[i]));
            data_[i].~T();
        }
        if (data_)
            alloc_->deallocate(data_, cap_ * sizeof(T), alignof(T));
        data_ = fresh;
        cap_ = n;
        return true;
    }

    template <typename... Args> [[nodiscard]] bool emplace_back(Args&&... args) {
        if (size_ == cap_ && !reserve(cap_ < 8 ? 8 : cap_ * 2))
            return false;
        new (&data_[size_]) T(std::forward<Args>(args)...);
        ++size_;
        return true;
    }
    [[nodiscard]] bool push_back(const T& v) { return emplace_back(v); }
    [[nodiscard]] bool push_back(T&& v) { return emplace_back(std::move(v)); }

    void pop_back() {
        --size_;
        data_[size_].~T();
    }

    // Grows with value-initialised elements or shrinks to n.
    [[nodiscard]] bool resize(size_t n) {
        if (n > cap_ && !reserve(n))
            return false;
        while (size_ < n)
            new (&data_[size_++]) T();
        while (size_ > n)
            pop_back();
        return true;
    }

    // Shrinks to n elements (no-op if already smaller); cannot fail.
    void truncate(size_t n) {
        while (size_ > n)
            pop_back();
    }

    void clear() {
        while (size_ > 0)
            pop_back();
    }

private:
    void take(Vector& o) {
        alloc_ = o.alloc_;
        data_ = o.data_;
        size_ = o.size_;
        cap_ = o.cap_;
        o.data_ = nullptr;
        o.size_ = o.cap_ = 0;
    }
    void release() {
        clear();
        if (data_)
            alloc_->deallocate(data_, cap_ * sizeof(T), alignof(T));
        data_ = nullptr;
        cap_ = 0;
    }

    Allocator* alloc_ = nullptr;
    T* data_ = nullptr;
    size_t size_ = 0;
    size_t cap_ = 0;
};

} // namespace lib
