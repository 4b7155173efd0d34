// Page permissions as the rest of the kernel speaks about them, and the x86_64 page-table entry
// bits they turn into (Intel SDM Vol. 3A, section 4.5, tables 4-15 to 4-20).
#pragma once

#include <cstdint>

namespace kernel::mm {

// What a mapping allows. The default (None) is a read-only, non-executable kernel page: every
// permission is opted into, so a forgotten flag fails closed.
enum class PageFlags : uint32_t {
    None = 0,
    Writable = 1 << 0,
    Executable = 1 << 1, // otherwise the entry gets NX, which requires EFER.NXE
    User = 1 << 2,
    Uncached = 1 << 3, // PCD|PWT: strong uncacheable with the default PAT, for MMIO
    Global = 1 << 4,   // survives CR3 reloads; kernel mappings only
};

constexpr PageFlags operator|(PageFlags a, PageFlags b) {
    return PageFlags(uint32_t(a) | uint32_t(b));
}
constexpr PageFlags operator&(PageFlags a, PageFlags b) {
    return PageFlags(uint32_t(a) & uint32_t(b));
}
constexpr bool has(PageFlags set, PageFlags flag) { return (set & flag) == flag; }

enum class PageSize : uint8_t {
    Small, // 4 KiB, a PT entry
    Large, // 2 MiB, a PD entry with PS set
};

constexpr uint64_t page_bytes(PageSize size) {
    return size == PageSize::Large ? uint64_t(2) << 20 : uint64_t(4) << 10;
}

// Architectural bits of a paging-structure entry.
namespace pte {
inline constexpr uint64_t PRESENT = uint64_t(1) << 0;
inline constexpr uint64_t WRITABLE = uint64_t(1) << 1;
inline constexpr uint64_t USER = uint64_t(1) << 2;
inline constexpr uint64_t WRITE_THROUGH = uint64_t(1) << 3; // PWT
inline constexpr uint64_t CACHE_DISABLE = uint64_t(1) << 4; // PCD
inline constexpr uint64_t ACCESSED = uint64_t(1) << 5;
inline constexpr uint64_t DIRTY = uint64_t(1) << 6;
inline constexpr uint64_t HUGE = uint64_t(1) << 7; // PS in a PDPTE or PDE: the entry maps a page
inline constexpr uint64_t GLOBAL = uint64_t(1) << 8;
inline constexpr uint64_t NO_EXECUTE = uint64_t(1) << 63;
// Bits 12..51 hold the physical address (MAXPHYADDR is at most 52).
inline constexpr uint64_t ADDRESS = 0x000ffffffffff000;
// A 2 MiB page's address starts at bit 21; bit 12 there is the PAT bit, which we never set.
inline constexpr uint64_t LARGE_ADDRESS = 0x000fffffffe00000;
} // namespace pte

// The leaf entry for a mapping of `phys` with `flags`.
constexpr uint64_t encode_leaf(uint64_t phys, PageFlags flags, PageSize size) {
    uint64_t entry = phys | pte::PRESENT;
    if (has(flags, PageFlags::Writable))
        entry |= pte::WRITABLE;
    if (has(flags, PageFlags::User))
        entry |= pte::USER;
    if (has(flags, PageFlags::Uncached))
        entry |= pte::CACHE_DISABLE | pte::WRITE_THROUGH;
    if (has(flags, PageFlags::Global))
        entry |= pte::GLOBAL;
    if (!has(flags, PageFlags::Executable))
        entry |= pte::NO_EXECUTE;
    if (size == PageSize::Large)
        entry |= pte::HUGE;
    return entry;
}

// The permissions a present leaf entry grants.
constexpr PageFlags decode_leaf(uint64_t entry) {
    PageFlags flags = PageFlags::None;
    if (entry & pte::WRITABLE)
        flags = flags | PageFlags::Writable;
    if (!(entry & pte::NO_EXECUTE))
        flags = flags | PageFlags::Executable;
    if (entry & pte::USER)
        flags = flags | PageFlags::User;
    if (entry & pte::CACHE_DISABLE)
        flags = flags | PageFlags::Uncached;
    if (entry & pte::GLOBAL)
        flags = flags | PageFlags::Global;
    return flags;
}

} // namespace kernel::mm
