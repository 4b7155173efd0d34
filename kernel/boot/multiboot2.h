// Multiboot2 boot information -> BootInfo. The only code in the kernel that reads Multiboot2
// structures. Hardware-free: it reads a byte span, so the host tests feed it synthetic blocks.
#pragma once

#include <cstdint>
#include <span>

#include "kernel/boot/boot_info.h"
#include "lib/result.h"

namespace kernel::multiboot2 {

inline constexpr uint32_t BOOTLOADER_MAGIC = 0x36d76289;

// Why a block was refused: a fixed message and the byte offset of the offending tag.
struct ParseError {
    const char* reason;
    uint32_t offset;
};

// Parses the information block `info`, which the loader placed at physical address `info_phys`.
// Strings in the result point into `info`, which must outlive it. Every tag's size and
// alignment are checked against the block; nothing outside `info` is ever read.
std::expected<BootInfo, ParseError> parse(std::span<const uint8_t> info, lib::PhysAddr info_phys);

// The total size the block declares in its first word, for mapping it before parsing; 0 when
// `first_eight_bytes` is too short.
uint32_t declared_size(std::span<const uint8_t> first_eight_bytes);

} // namespace kernel::multiboot2
