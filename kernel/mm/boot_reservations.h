// The physical ranges the PMM must withhold at init, gathered from BootInfo in one place so the
// boot path cannot forget one: the kernel image, the boot information block, every boot module
// and the framebuffer.
#pragma once

#include <cstddef>
#include <span>

#include "kernel/boot/boot_info.h"
#include "kernel/mm/physical_allocator.h"
#include "lib/result.h"

namespace kernel::mm {

// Enough room for everything collect_boot_reservations() can produce.
inline constexpr size_t MAX_BOOT_RESERVATIONS = BootInfo::MAX_MODULES + 3;

// Writes the ranges to `out` and returns how many; empty ranges are skipped. Overflow when
// `out` is too small (or the framebuffer's size does not fit in 64 bits).
lib::Result<size_t> collect_boot_reservations(const BootInfo& info, PhysRange kernel_image,
                                              std::span<PhysRange> out);

} // namespace kernel::mm
