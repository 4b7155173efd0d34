// Gathering the PMM's boot-time reservations; see boot_reservations.h.
#include "kernel/mm/boot_reservations.h"

namespace kernel::mm {

lib::Result<size_t> collect_boot_reservations(const BootInfo& info, PhysRange kernel_image,
                                              std::span<PhysRange> out) {
    size_t count = 0;
    auto add = [&](PhysRange range) -> lib::Result<void> {
        if (range.end <= range.start)
            return {};
        if (count == out.size())
            return lib::fail(lib::Error::Overflow);
        out[count++] = range;
        return {};
    };
    TRY(add(kernel_image));
    TRY(add({info.boot_info_start, info.boot_info_end}));
    for (size_t i = 0; i < info.module_count && i < BootInfo::MAX_MODULES; ++i)
        TRY(add({info.modules[i].start, info.modules[i].end}));
    if (info.has_framebuffer()) {
        // The framebuffer may lie in RAM the map calls usable (some firmware does that); pitch,
        // not width, gives the real size of a scan line.
        uint64_t bytes = uint64_t(info.framebuffer.pitch) * info.framebuffer.height;
        lib::PhysAddr end = info.framebuffer.base + bytes;
        if (end < info.framebuffer.base)
            return lib::fail(lib::Error::Overflow);
        TRY(add({info.framebuffer.base, end}));
    }
    return count;
}

} // namespace kernel::mm
