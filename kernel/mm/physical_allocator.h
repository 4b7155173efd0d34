// PhysicalAllocator: the bitmap frame allocator (PMM) over the boot memory map.
//
// Two bitmaps, one bit per 4 KiB frame from physical address 0 up to the end of the highest
// usable region:
//   m_used      1 = not available (allocated, or never allocatable)
//   m_reserved  1 = never allocatable (a hole, firmware memory, the kernel image, the bitmaps...)
// Keeping "reserved" apart from "allocated" is what lets free() tell a double free
// (Error::DoubleFree) from a free of a frame that was never the allocator's to give out
// (Error::InvalidArgument). The cost is 2 bits per frame: 64 KiB per GiB of physical memory.
//
// The bitmaps live in physical memory themselves, carved out of the first usable region that is
// big enough, and are reached through the DirectMap the caller provides.
//
// Lock order: callers may hold the heap lock when they call in here (the heap grows by asking
// for frames); this allocator calls nothing that takes another lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/boot/boot_info.h"
#include "kernel/mm/direct_map.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/sync/spinlock.h"
#include "lib/address.h"
#include "lib/result.h"

namespace kernel::mm {

// A half-open physical range [start, end).
struct PhysRange {
    lib::PhysAddr start;
    lib::PhysAddr end;
};

struct PmmStats {
    uint64_t total_frames = 0;    // usable RAM according to the memory map
    uint64_t reserved_frames = 0; // usable RAM withheld at init (first MiB, kernel, bitmaps...)
    uint64_t free_frames = 0;     // available to alloc() right now
    uint64_t used_frames = 0;     // handed out and not yet freed: total - reserved - free

    uint64_t total_bytes() const { return total_frames * lib::PAGE_SIZE; }
    uint64_t reserved_bytes() const { return reserved_frames * lib::PAGE_SIZE; }
    uint64_t free_bytes() const { return free_frames * lib::PAGE_SIZE; }
    uint64_t used_bytes() const { return used_frames * lib::PAGE_SIZE; }
};

class PhysicalAllocator final : public FrameAllocator {
public:
    // The first MiB holds the real-mode IVT, the BIOS data area, the EBDA and option ROMs, and
    // is where the SMP trampoline will be placed by hand; the allocator never hands it out.
    static constexpr uint64_t LOW_RESERVED_END = 1024 * 1024;

    // constexpr so a global instance is constant-initialised: no static constructor has to run
    // before init().
    constexpr PhysicalAllocator() = default;
    PhysicalAllocator(const PhysicalAllocator&) = delete;
    PhysicalAllocator& operator=(const PhysicalAllocator&) = delete;

    // Builds the bitmaps. `map` is the firmware memory map: usable regions are rounded inward to
    // whole frames, every other type (and every range in `reserved`) outward, and anything
    // non-usable wins where regions overlap. `reserved` lists what the kernel already occupies
    // inside usable RAM (its image, boot modules, the boot information block, the framebuffer).
    // Fails with OutOfMemory when there is no usable memory or no place for the bitmaps, with
    // InvalidArgument when called twice.
    lib::Result<void> init(std::span<const MemoryRegion> map, std::span<const PhysRange> reserved,
                           DirectMap window);

    // One frame, content unspecified.
    lib::Result<lib::PhysAddr> alloc();
    // One frame filled with zeroes (through the DirectMap).
    lib::Result<lib::PhysAddr> alloc_zeroed();
    // `count` physically contiguous frames whose base is aligned to `alignment` bytes (a power of
    // two, at least PAGE_SIZE), for DMA buffers and large pages.
    lib::Result<lib::PhysAddr> alloc_contiguous(uint64_t count,
                                                uint64_t alignment = lib::PAGE_SIZE);

    // DoubleFree when the frame is already free; InvalidArgument when it is unaligned, outside
    // the bitmap, or reserved. A failed free changes nothing.
    lib::Result<void> free(lib::PhysAddr frame);
    // Frees `count` frames from `base`; all are checked before any is freed.
    lib::Result<void> free_contiguous(lib::PhysAddr base, uint64_t count);

    // FrameAllocator, for the page-table code.
    lib::Result<lib::PhysAddr> allocate_frame() override { return alloc(); }
    lib::Result<void> free_frame(lib::PhysAddr frame) override { return free(frame); }

    PmmStats stats() const;
    bool is_initialized() const { return m_frame_count != 0; }
    // Whether a frame is currently handed out (false for free and for reserved frames).
    bool is_allocated(lib::PhysAddr frame) const;
    bool is_reserved(lib::PhysAddr frame) const;
    // Where the bitmaps were placed (reserved, so the caller can account for them).
    PhysRange bitmap_storage() const { return m_storage; }
    // One past the highest frame the allocator manages.
    lib::PhysAddr end() const { return lib::PhysAddr(m_frame_count * lib::PAGE_SIZE); }

private:
    static bool test(const uint64_t* bits, uint64_t frame) {
        return (bits[frame / 64] >> (frame % 64)) & 1;
    }
    static void set(uint64_t* bits, uint64_t frame) {
        bits[frame / 64] |= uint64_t(1) << (frame % 64);
    }
    static void clear(uint64_t* bits, uint64_t frame) {
        bits[frame / 64] &= ~(uint64_t(1) << (frame % 64));
    }
    // Sets or clears the bits of frames [first, last) in one bitmap.
    // Touches only `bits`; its callers hold the lock (init() also from a lambda, which the
    // analysis does not follow, so this carries no REQUIRES).
    void fill(uint64_t* bits, uint64_t first, uint64_t last, bool value);
    lib::Result<void> check_freeable(lib::PhysAddr frame) const REQUIRES(m_lock);
    lib::Result<lib::PhysAddr> alloc_locked() REQUIRES(m_lock);

    mutable IrqSpinlock m_lock{LockRank::Pmm};
    // Set once by init() (under the lock) and only read afterwards, also without the lock:
    // is_initialized(), end() and bitmap_storage() answer from them.
    DirectMap m_window;
    uint64_t m_frame_count = 0; // frames covered by the bitmaps
    uint64_t m_word_count = 0;  // 64-bit words per bitmap
    PhysRange m_storage;
    // The bitmaps' contents and the counts change on every allocation and free.
    uint64_t* m_used PT_GUARDED_BY(m_lock) = nullptr;
    uint64_t* m_reserved PT_GUARDED_BY(m_lock) = nullptr;
    uint64_t m_hint GUARDED_BY(m_lock) = 0; // word index where the next single-frame search starts
    uint64_t m_total GUARDED_BY(m_lock) = 0;
    uint64_t m_reserved_count GUARDED_BY(m_lock) = 0;
    uint64_t m_free GUARDED_BY(m_lock) = 0;
};

} // namespace kernel::mm
