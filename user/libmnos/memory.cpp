#include "user/libmnos/memory.h"

#include <atomic>

#include "user/libmnos/layout.h"
#include "user/libmnos/spin_lock.h"
#include "user/libmnos/syscall.h"

namespace mnos {

namespace {

// Contiguous runs are tried first (one frame, one map); under fragmentation a run may not be
// found, and then the range is built from smaller frames.
constexpr uint64_t MAX_RUN = 16;

SpinLock g_addresses_lock;
uint64_t g_next_page_address = layout::PAGES_BASE;

lib::Result<void> map_frame_at(CapSlot frame, CapSlot process, uint64_t address, uint64_t flags,
                               uint64_t also_here) {
    TRY(sys::map_memory(process, frame, address, flags));
    if (also_here)
        TRY(sys::map_memory(service_caps::SELF, frame, also_here, MAP_WRITE));
    return {};
}

} // namespace

lib::Result<void> map_fresh(CapSlot budget, CapSlot process, uint64_t address, uint64_t pages,
                            uint64_t flags, uint64_t also_here) {
    uint64_t done = 0;
    while (done < pages) {
        uint64_t run = pages - done < MAX_RUN ? pages - done : MAX_RUN;
        auto frame = sys::alloc_memory(budget, run);
        while (!frame && frame.error() == Error::OutOfMemory && run > 1) {
            run /= 2;
            frame = sys::alloc_memory(budget, run);
        }
        if (!frame)
            return lib::fail(frame.error());
        uint64_t offset = done * layout::PAGE;
        auto mapped = map_frame_at(*frame, process, address + offset, flags,
                                   also_here ? also_here + offset : 0);
        (void)sys::drop_cap(*frame); // mapped (or not): the slot is not needed either way
        if (!mapped)
            return lib::fail(mapped.error());
        done += run;
    }
    return {};
}

lib::Result<uint64_t> reserve_addresses(uint64_t& next, uint64_t end, uint64_t pages) {
    LockGuard guard(g_addresses_lock);
    uint64_t bytes = (pages + 1) * layout::PAGE; // and a guard page below
    if (pages == 0 || pages > (end - next) / layout::PAGE - 1)
        return lib::fail(Error::OutOfMemory);
    uint64_t base = next + layout::PAGE;
    next += bytes;
    return base;
}

lib::Result<void*> allocate_pages(uint64_t pages) {
    uint64_t base = TRY(reserve_addresses(g_next_page_address, layout::PAGES_END, pages));
    if (auto mapped = map_fresh(service_caps::BUDGET, service_caps::SELF, base, pages, MAP_WRITE);
        !mapped) {
        (void)sys::unmap_memory(service_caps::SELF, base, pages);
        return lib::fail(mapped.error());
    }
    // Sound: the pages were just mapped writable at `base`, for this caller alone.
    return reinterpret_cast<void*>(base);
}

lib::Result<SharedBuffer> map_sent_buffer(CapSlot sent, uint64_t max_pages) {
    if (sent.is_none())
        return lib::fail(Error::InvalidArgument);
    auto what = TRY(sys::inspect(sent));
    if (what.type != CapType::MemoryFrame || what.size == 0 || what.size > max_pages)
        return lib::fail(Error::InvalidArgument);
    // Out of the window into a slot of our own: the mapping needs the frame to stay named.
    CapSlot kept = TRY(sys::delegate(sent, service_caps::SELF, CapSlot::none(),
                                     Rights::Read | Rights::Write));
    auto mapped = map_shared(kept, what.size, true);
    (void)sys::drop_cap(kept); // the mapping keeps the frame
    if (!mapped)
        return lib::fail(mapped.error());
    return SharedBuffer{static_cast<uint8_t*>(*mapped), what.size};
}

lib::Result<void*> map_region(CapSlot region, uint64_t pages) {
    uint64_t base = TRY(reserve_addresses(g_next_page_address, layout::PAGES_END, pages));
    TRY(sys::map_mmio(service_caps::SELF, region, base, MAP_WRITE));
    // Sound: the region was just mapped at `base`, `pages` pages long, uncached.
    return reinterpret_cast<void*>(base);
}

lib::Result<void*> map_shared(CapSlot frame, uint64_t pages, bool writable) {
    uint64_t base = TRY(reserve_addresses(g_next_page_address, layout::PAGES_END, pages));
    TRY(sys::map_memory(service_caps::SELF, frame, base, writable ? MAP_WRITE : 0));
    // Sound: the frame was just mapped at `base`, `pages` pages long.
    return reinterpret_cast<void*>(base);
}

void free_pages(void* base, uint64_t pages) {
    (void)sys::unmap_memory(service_caps::SELF, reinterpret_cast<uint64_t>(base), pages);
}

} // namespace mnos
