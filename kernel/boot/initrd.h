// The initrd: the USTAR archive GRUB loaded as the boot module named "initrd" (tools/iso/grub.cfg).
#pragma once

#include <cstdint>
#include <span>

#include "kernel/boot/boot_info.h"

namespace kernel::initrd {

// Finds the module in BootInfo and validates the archive; logs and leaves it empty otherwise.
void init(const BootInfo& boot_info);
std::span<const uint8_t> archive();

} // namespace kernel::initrd
