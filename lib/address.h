// Strong types for physical and virtual addresses, so the two can never be mixed up across an
// interface. Arithmetic stays inside one kind; converting between them needs an explicit
// mapping (the kernel's HHDM helpers in kernel/mm/hhdm.h, or a page-table walk).
#pragma once

#include <compare>
#include <cstdint>

namespace lib {

template <typename Tag> class Address {
public:
    constexpr Address() = default;
    constexpr explicit Address(uint64_t value) : m_value(value) {}

    constexpr uint64_t value() const { return m_value; }
    constexpr bool is_null() const { return m_value == 0; }
    constexpr bool is_aligned(uint64_t alignment) const { return (m_value & (alignment - 1)) == 0; }
    constexpr Address align_down(uint64_t alignment) const {
        return Address(m_value & ~(alignment - 1));
    }
    constexpr Address align_up(uint64_t alignment) const {
        return Address((m_value + alignment - 1) & ~(alignment - 1));
    }
    constexpr uint64_t offset_in(uint64_t alignment) const { return m_value & (alignment - 1); }

    constexpr Address operator+(uint64_t delta) const { return Address(m_value + delta); }
    constexpr Address operator-(uint64_t delta) const { return Address(m_value - delta); }
    constexpr Address& operator+=(uint64_t delta) {
        m_value += delta;
        return *this;
    }
    constexpr uint64_t operator-(Address other) const { return m_value - other.m_value; }
    constexpr auto operator<=>(const Address&) const = default;

private:
    uint64_t m_value = 0;
};

struct PhysTag;
struct VirtTag;
using PhysAddr = Address<PhysTag>;
using VirtAddr = Address<VirtTag>;

inline constexpr uint64_t PAGE_SIZE = 4096;
inline constexpr uint64_t LARGE_PAGE_SIZE = 2 * 1024 * 1024;

} // namespace lib
