// The modules GRUB loads beside the kernel (tools/iso/grub.cfg), found by name: "init", the
// first program, which the kernel starts, and "initrd", the archive init builds the system
// from, which the kernel hands to init unread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "kernel/boot/boot_info.h"
#include "lib/string_view.h"

namespace kernel {

// The module's bytes (in the HHDM), or nullopt when the boot loader loaded none of that name.
std::optional<std::span<const uint8_t>> boot_module(const BootInfo& info, lib::StringView name);

// What the boot adapter found, for code after boot (main.cpp fills it in phase 1).
const BootInfo& boot_info();

} // namespace kernel
