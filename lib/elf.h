// ELF64 loader front end for x86_64 user programs: validate an image, describe its loadable
// segments, and load them through an address-space interface the kernel implements (and the
// host tests simulate). Also lays out the initial user stack. No allocation; the image is
// untrusted. What is checked and why: docs/initrd-and-elf.md.
//
// Error mapping (each failure also gets a static reason string through `reason`):
//   Malformed       the file contradicts the ELF specification or itself (bad magic, tables
//                   past the end, p_filesz > p_memsz, overlapping segments, entry not in code)
//   Overflow        an offset/size or address/size sum wraps around 2^64
//   BadAddress      a segment lies (partly) outside the UserRange
//   Unsupported     a valid ELF this loader refuses: not ELF64/LSB/x86_64/ET_EXEC, dynamic
//                   linking (PT_INTERP), W+X segments, more than ELF_MAX_SEGMENTS PT_LOADs
//   InvalidArgument the caller's own arguments are inconsistent (UserRange, stack inputs)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/address.h"
#include "lib/result.h"

namespace lib {

// The virtual window a user program may occupy: [min, end). Both page-aligned. The kernel
// passes its exact user window; the default is the canonical lower half minus the null page.
struct UserRange {
    VirtAddr min{0x1000};
    VirtAddr end{0x0000800000000000};
};

struct SegmentFlags {
    bool readable = false;
    bool writable = false;
    bool executable = false;
    constexpr bool operator==(const SegmentFlags&) const = default;
};

// One PT_LOAD: bytes [file_offset, file_offset + file_size) of the image go to vaddr, and
// [vaddr + file_size, vaddr + mem_size) is zero (BSS).
struct LoadSegment {
    VirtAddr vaddr;
    uint64_t file_offset = 0;
    uint64_t file_size = 0;
    uint64_t mem_size = 0;
    SegmentFlags flags;

    VirtAddr page_start() const { return vaddr.align_down(PAGE_SIZE); }
    VirtAddr page_end() const { return (vaddr + mem_size).align_up(PAGE_SIZE); }
    uint64_t page_count() const { return (page_end() - page_start()) / PAGE_SIZE; }
};

inline constexpr size_t ELF_MAX_SEGMENTS = 16;

// A validated image: its PT_LOAD segments with mem_size > 0, sorted by address and pairwise
// disjoint at page granularity, and an entry point inside an executable one.
struct ElfImage {
    LoadSegment segments[ELF_MAX_SEGMENTS];
    size_t segment_count = 0;
    VirtAddr entry;

    std::span<const LoadSegment> loads() const { return {segments, segment_count}; }
};

Result<ElfImage> elf_parse(std::span<const uint8_t> image, const UserRange& range = {},
                           const char** reason = nullptr);

// What the loader needs from an address space. The kernel implements it over its page tables;
// tests implement it over a simulated memory. Not owned through this interface (hence the
// protected non-virtual destructor: no deleting destructor, no operator delete needed).
class AddressSpaceSink {
public:
    // Maps `count` fresh, zero-filled pages starting at the page-aligned `page` with the final
    // permissions `flags`. The loader never maps a page twice.
    virtual Result<void> map_zeroed(VirtAddr page, size_t count, SegmentFlags flags) = 0;
    // Writes `bytes` at `dst`, inside pages mapped by map_zeroed. Must succeed for read-only
    // pages too: the kernel writes through its own mapping of the frames, not the user's.
    virtual Result<void> copy_to(VirtAddr dst, std::span<const uint8_t> bytes) = 0;

protected:
    ~AddressSpaceSink() = default;
};

// Maps every segment of `parsed` (from elf_parse over the same `image`) and copies its file
// bytes; the rest of each page, BSS included, is zero by map_zeroed's contract. Stops at the
// first sink error and returns it; the caller then discards the half-built address space.
Result<void> elf_load(const ElfImage& parsed, std::span<const uint8_t> image,
                      AddressSpaceSink& sink);

// elf_parse then elf_load; returns the entry point.
Result<VirtAddr> elf_load(std::span<const uint8_t> image, const UserRange& range,
                          AddressSpaceSink& sink, const char** reason = nullptr);

// --- Initial user stack (System V AMD64 ABI, section 3.4.1) ---

// Auxiliary vector entry types the kernel may pass (values from the ABI).
inline constexpr uint64_t AT_NULL = 0;
inline constexpr uint64_t AT_PHDR = 3;
inline constexpr uint64_t AT_PHENT = 4;
inline constexpr uint64_t AT_PHNUM = 5;
inline constexpr uint64_t AT_PAGESZ = 6;
inline constexpr uint64_t AT_ENTRY = 9;

struct AuxEntry {
    uint64_t type = AT_NULL;
    uint64_t value = 0;
};

struct StackLayout {
    VirtAddr stack_pointer; // initial RSP: points at argc, 16-byte aligned
    VirtAddr argv;          // &argv[0]
    VirtAddr envp;          // &envp[0]
    VirtAddr auxv;          // &auxv[0]
    uint64_t argc = 0;
    size_t size = 0;        // bytes used at the top: [stack_top - size, stack_top)
};

// Builds the initial stack in `buffer`, which stands for the `buffer.size()` bytes just below
// `stack_top` (16-byte aligned). From the stack pointer up: argc, argv[] and NULL, envp[] and
// NULL, auxv pairs ending with AT_NULL, zero padding, then the NUL-terminated strings. The
// strings' addresses are user addresses computed from stack_top. Bytes of `buffer` below the
// layout are left untouched. Error::Overflow if it does not fit in `buffer`.
Result<StackLayout> build_initial_stack(std::span<uint8_t> buffer, VirtAddr stack_top,
                                        std::span<const char* const> argv,
                                        std::span<const char* const> envp,
                                        std::span<const AuxEntry> auxv = {});

} // namespace lib
