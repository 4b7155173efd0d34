// The bitmap frame allocator; see physical_allocator.h for the data structure.
#include "kernel/mm/physical_allocator.h"

#include <algorithm>
#include <bit>

namespace kernel::mm {

namespace {

using lib::Error;
using lib::PAGE_SIZE;

// x86_64 physical addresses have at most 52 bits (the architectural MAXPHYADDR limit); anything a
// firmware map claims above that cannot be RAM the kernel can address.
constexpr uint64_t PHYS_LIMIT = uint64_t(1) << 52;

constexpr uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// A frame range [first, last) in frame numbers.
struct FrameSpan {
    uint64_t first = 0;
    uint64_t last = 0;
    bool empty() const { return last <= first; }
};

// The exclusive end of [base, base + length), clamped to PHYS_LIMIT so that neither a wrapping
// length nor an absurd address can produce frame numbers beyond what the bitmap could cover.
constexpr uint64_t clamped_end(uint64_t base, uint64_t length) {
    uint64_t end = base + length;
    if (end < base || end > PHYS_LIMIT)
        end = PHYS_LIMIT;
    return end;
}

// Usable memory shrinks to the whole frames inside it: a partial frame may share its other part
// with firmware data.
FrameSpan inward(uint64_t base, uint64_t length) {
    if (length == 0 || base >= PHYS_LIMIT)
        return {};
    uint64_t end = clamped_end(base, length);
    return {align_up(base, PAGE_SIZE) / PAGE_SIZE, align_down(end, PAGE_SIZE) / PAGE_SIZE};
}

// Reserved memory grows to every frame it touches.
FrameSpan outward(uint64_t base, uint64_t length) {
    if (length == 0 || base >= PHYS_LIMIT)
        return {};
    uint64_t end = clamped_end(base, length);
    return {align_down(base, PAGE_SIZE) / PAGE_SIZE, align_up(end, PAGE_SIZE) / PAGE_SIZE};
}

FrameSpan outward(PhysRange range) {
    if (range.end <= range.start)
        return {};
    return outward(range.start.value(), range.end - range.start);
}

bool overlaps(FrameSpan a, FrameSpan b) { return a.first < b.last && b.first < a.last; }

// Counts set bits among frames [0, frame_count); bits past the end of the last word are ignored.
uint64_t count_set(const uint64_t* bits, uint64_t frame_count) {
    uint64_t full_words = frame_count / 64;
    uint64_t count = 0;
    for (uint64_t w = 0; w < full_words; ++w)
        count += std::popcount(bits[w]);
    if (uint64_t rest = frame_count % 64)
        count += std::popcount(bits[full_words] & ((uint64_t(1) << rest) - 1));
    return count;
}

// The first place, in map order, where `frames` frames of usable memory are free of every
// non-usable region, every caller reservation and the first MiB.
lib::Result<uint64_t> find_storage(std::span<const MemoryRegion> map,
                                   std::span<const PhysRange> reserved, uint64_t frames) {
    const uint64_t low_frames = PhysicalAllocator::LOW_RESERVED_END / PAGE_SIZE;
    for (const MemoryRegion& region : map) {
        if (region.type != MemoryType::Usable)
            continue;
        FrameSpan usable = inward(region.base.value(), region.length);
        uint64_t candidate = std::max(usable.first, low_frames);
        // Each blocker found moves the candidate past it, so the loop makes progress and ends.
        while (candidate + frames <= usable.last) {
            FrameSpan want{candidate, candidate + frames};
            uint64_t next = candidate;
            for (const MemoryRegion& other : map) {
                FrameSpan span = outward(other.base.value(), other.length);
                if (other.type != MemoryType::Usable && overlaps(want, span))
                    next = std::max(next, span.last);
            }
            for (const PhysRange& range : reserved) {
                FrameSpan span = outward(range);
                if (overlaps(want, span))
                    next = std::max(next, span.last);
            }
            if (next == candidate)
                return candidate;
            candidate = next;
        }
    }
    return lib::fail(Error::OutOfMemory);
}

} // namespace

void PhysicalAllocator::fill(uint64_t* bits, uint64_t first, uint64_t last, bool value) {
    last = std::min(last, m_frame_count);
    for (uint64_t frame = first; frame < last;) {
        // Whole words at once where the range covers them: the first MiB and large reservations
        // would otherwise cost a loop iteration per frame.
        if (frame % 64 == 0 && last - frame >= 64) {
            bits[frame / 64] = value ? ~uint64_t(0) : 0;
            frame += 64;
            continue;
        }
        if (value)
            set(bits, frame);
        else
            clear(bits, frame);
        ++frame;
    }
}

lib::Result<void> PhysicalAllocator::init(std::span<const MemoryRegion> map,
                                          std::span<const PhysRange> reserved, DirectMap window) {
    Guard guard(m_lock);
    if (m_frame_count != 0)
        return lib::fail(Error::InvalidArgument);

    uint64_t top = 0;
    for (const MemoryRegion& region : map) {
        if (region.type == MemoryType::Usable) {
            FrameSpan span = inward(region.base.value(), region.length);
            if (!span.empty())
                top = std::max(top, span.last);
        }
    }
    if (top == 0)
        return lib::fail(Error::OutOfMemory);

    uint64_t words = (top + 63) / 64;
    uint64_t storage_frames = align_up(2 * words * sizeof(uint64_t), PAGE_SIZE) / PAGE_SIZE;
    uint64_t storage = TRY(find_storage(map, reserved, storage_frames));

    m_window = window;
    m_frame_count = top;
    m_word_count = words;
    m_storage = {lib::PhysAddr(storage * PAGE_SIZE),
                 lib::PhysAddr((storage + storage_frames) * PAGE_SIZE)};
    // Sound: find_storage chose usable RAM, which the window maps read/write, and the block is
    // page aligned, so it is suitably aligned for uint64_t.
    m_used = window.ptr<uint64_t>(m_storage.start);
    m_reserved = m_used + words;

    // Everything starts unavailable (also the padding bits after the last frame, so the search
    // never returns a frame beyond the end); usable regions open up, then non-usable regions and
    // reservations close again, in that order, so that "reserved" wins every overlap.
    for (uint64_t w = 0; w < words; ++w)
        m_used[w] = m_reserved[w] = ~uint64_t(0);
    for (const MemoryRegion& region : map) {
        if (region.type != MemoryType::Usable)
            continue;
        FrameSpan span = inward(region.base.value(), region.length);
        fill(m_used, span.first, span.last, false);
        fill(m_reserved, span.first, span.last, false);
    }
    for (const MemoryRegion& region : map) {
        if (region.type == MemoryType::Usable)
            continue;
        FrameSpan span = outward(region.base.value(), region.length);
        fill(m_used, span.first, span.last, true);
        fill(m_reserved, span.first, span.last, true);
    }
    m_total = m_frame_count - count_set(m_reserved, m_frame_count);

    auto withhold = [&](FrameSpan span) {
        fill(m_used, span.first, span.last, true);
        fill(m_reserved, span.first, span.last, true);
    };
    withhold({0, LOW_RESERVED_END / PAGE_SIZE});
    for (const PhysRange& range : reserved)
        withhold(outward(range));
    withhold({storage, storage + storage_frames});

    m_free = m_frame_count - count_set(m_used, m_frame_count);
    m_reserved_count = m_total - m_free;
    m_hint = 0;
    return {};
}

lib::Result<lib::PhysAddr> PhysicalAllocator::alloc_locked() {
    if (m_free == 0)
        return lib::fail(Error::OutOfMemory);
    // Start at the word where the last allocation or free happened: below it everything was
    // full the last time we looked, so a scan from 0 would mostly re-read full words.
    for (uint64_t i = 0; i < m_word_count; ++i) {
        uint64_t w = m_hint + i;
        if (w >= m_word_count)
            w -= m_word_count;
        if (m_used[w] == ~uint64_t(0))
            continue;
        uint64_t frame = w * 64 + std::countr_one(m_used[w]);
        set(m_used, frame);
        --m_free;
        m_hint = w;
        return lib::PhysAddr(frame * PAGE_SIZE);
    }
    return lib::fail(Error::OutOfMemory); // unreachable while m_free is exact
}

lib::Result<lib::PhysAddr> PhysicalAllocator::alloc() {
    Guard guard(m_lock);
    return alloc_locked();
}

lib::Result<lib::PhysAddr> PhysicalAllocator::alloc_zeroed() {
    lib::PhysAddr frame = TRY(alloc());
    // Zeroing outside the lock: the frame is ours alone now.
    __builtin_memset(m_window.ptr<void>(frame), 0, PAGE_SIZE);
    return frame;
}

lib::Result<lib::PhysAddr> PhysicalAllocator::alloc_contiguous(uint64_t count, uint64_t alignment) {
    if (count == 0 || !std::has_single_bit(alignment))
        return lib::fail(Error::InvalidArgument);
    uint64_t align_frames = std::max(alignment, PAGE_SIZE) / PAGE_SIZE;

    Guard guard(m_lock);
    if (count > m_free)
        return lib::fail(Error::OutOfMemory);
    uint64_t first = 0;
    while (first < m_frame_count && m_frame_count - first >= count) {
        uint64_t frame = first;
        while (frame < first + count && !test(m_used, frame))
            ++frame;
        if (frame == first + count) {
            fill(m_used, first, first + count, true);
            m_free -= count;
            return lib::PhysAddr(first * PAGE_SIZE);
        }
        // `frame` is in use, so no run starting at or before it can work.
        first = align_up(frame + 1, align_frames);
    }
    return lib::fail(Error::OutOfMemory);
}

lib::Result<void> PhysicalAllocator::check_freeable(lib::PhysAddr frame) const {
    if (!frame.is_aligned(PAGE_SIZE))
        return lib::fail(Error::InvalidArgument);
    uint64_t index = frame.value() / PAGE_SIZE;
    if (index >= m_frame_count || test(m_reserved, index))
        return lib::fail(Error::InvalidArgument);
    if (!test(m_used, index))
        return lib::fail(Error::DoubleFree);
    return {};
}

lib::Result<void> PhysicalAllocator::free(lib::PhysAddr frame) {
    Guard guard(m_lock);
    TRY(check_freeable(frame));
    uint64_t index = frame.value() / PAGE_SIZE;
    clear(m_used, index);
    ++m_free;
    m_hint = index / 64;
    return {};
}

lib::Result<void> PhysicalAllocator::free_contiguous(lib::PhysAddr base, uint64_t count) {
    if (count == 0 || count > m_frame_count)
        return lib::fail(Error::InvalidArgument);
    Guard guard(m_lock);
    // All or nothing: a half-applied free would leave the caller unable to tell what it owns.
    for (uint64_t i = 0; i < count; ++i)
        TRY(check_freeable(base + i * PAGE_SIZE));
    uint64_t first = base.value() / PAGE_SIZE;
    fill(m_used, first, first + count, false);
    m_free += count;
    m_hint = first / 64;
    return {};
}

PmmStats PhysicalAllocator::stats() const {
    Guard guard(m_lock);
    return {m_total, m_reserved_count, m_free, m_total - m_reserved_count - m_free};
}

bool PhysicalAllocator::is_allocated(lib::PhysAddr frame) const {
    Guard guard(m_lock);
    uint64_t index = frame.value() / PAGE_SIZE;
    return index < m_frame_count && test(m_used, index) && !test(m_reserved, index);
}

bool PhysicalAllocator::is_reserved(lib::PhysAddr frame) const {
    Guard guard(m_lock);
    uint64_t index = frame.value() / PAGE_SIZE;
    return index >= m_frame_count || test(m_reserved, index);
}

} // namespace kernel::mm
