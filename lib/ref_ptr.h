// RefPtr<T>: a smart pointer holding one reference to an intrusively counted T (lib::RefCounted
// or anything with add_ref()/release()). Copying adds a reference, moving transfers it,
// destruction releases it. Never allocates.
#pragma once

#include <concepts>
#include <cstddef>
#include <utility>

namespace lib {

template <typename T> class RefPtr;

// Wraps a freshly created object's initial reference without adding another.
template <typename T> RefPtr<T> adopt_ref(T* object);

template <typename T> class RefPtr {
public:
    constexpr RefPtr() = default;
    constexpr RefPtr(std::nullptr_t) {}
    // Takes a new reference to an object someone else keeps alive.
    explicit RefPtr(T* object) : m_ptr(object) {
        if (m_ptr)
            m_ptr->add_ref();
    }
    RefPtr(const RefPtr& other) : RefPtr(other.m_ptr) {}
    RefPtr(RefPtr&& other) : m_ptr(std::exchange(other.m_ptr, nullptr)) {}
    // Upcasts: RefPtr<Derived> -> RefPtr<Base>.
    template <typename U>
        requires std::convertible_to<U*, T*>
    RefPtr(const RefPtr<U>& other) : RefPtr(other.get()) {}
    template <typename U>
        requires std::convertible_to<U*, T*>
    RefPtr(RefPtr<U>&& other) : m_ptr(other.leak_ref()) {}
    ~RefPtr() { reset(); }

    RefPtr& operator=(RefPtr other) {
        std::swap(m_ptr, other.m_ptr);
        return *this;
    }

    T* get() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }

    void reset() {
        if (T* old = std::exchange(m_ptr, nullptr))
            old->release();
    }
    // Gives up ownership of the reference without releasing it; the caller now owns it.
    [[nodiscard]] T* leak_ref() { return std::exchange(m_ptr, nullptr); }

    friend bool operator==(const RefPtr& a, const RefPtr& b) { return a.m_ptr == b.m_ptr; }
    friend bool operator==(const RefPtr& a, std::nullptr_t) { return a.m_ptr == nullptr; }

private:
    friend RefPtr adopt_ref<T>(T*);
    struct AdoptTag {};
    RefPtr(T* object, AdoptTag) : m_ptr(object) {}

    T* m_ptr = nullptr;
};

template <typename T> RefPtr<T> adopt_ref(T* object) {
    return RefPtr<T>(object, typename RefPtr<T>::AdoptTag{});
}

// A downcast the caller has proven valid (for kernel objects: by checking the type tag, since
// there is no RTTI). The reference moves into the result.
template <typename To, typename From> RefPtr<To> static_ref_cast(RefPtr<From>&& from) {
    return adopt_ref(static_cast<To*>(from.leak_ref()));
}

} // namespace lib
