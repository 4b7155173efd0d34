#include "kernel/boot/multiboot2.h"
#include "lib/bytes.h"

namespace kernel::multiboot2 {

namespace {

// Tag types from the Multiboot2 specification, section 3.6.
enum TagType : uint32_t {
    END = 0,
    COMMAND_LINE = 1,
    LOADER_NAME = 2,
    MODULE = 3,
    MEMORY_MAP = 6,
    FRAMEBUFFER = 8,
    ACPI_OLD_RSDP = 14,
    ACPI_NEW_RSDP = 15,
};

constexpr uint32_t TAG_HEADER = 8;
constexpr uint32_t MMAP_ENTRY_MIN = 24;
constexpr uint8_t FRAMEBUFFER_TYPE_RGB = 1;

using Failure = std::unexpected<ParseError>;

Failure fail(const char* reason, size_t offset) {
    return Failure(ParseError{reason, uint32_t(offset)});
}

// A NUL-terminated string that must end inside its tag.
std::expected<const char*, ParseError> read_string(std::span<const uint8_t> tag, size_t start,
                                                   size_t tag_offset) {
    for (size_t i = start; i < tag.size(); ++i)
        if (tag[i] == 0)
            return reinterpret_cast<const char*>(tag.data() + start); // bytes are chars here
    return fail("string is not terminated inside its tag", tag_offset);
}

MemoryType memory_type(uint32_t multiboot_type) {
    switch (multiboot_type) {
    case 1: return MemoryType::Usable;
    case 3: return MemoryType::AcpiReclaimable;
    case 4: return MemoryType::AcpiNvs;
    case 5: return MemoryType::Defective;
    default: return MemoryType::Reserved;
    }
}

std::expected<void, ParseError> parse_memory_map(std::span<const uint8_t> tag, size_t offset,
                                                 BootInfo& info) {
    if (tag.size() < 16)
        return fail("memory map tag is shorter than its header", offset);
    uint32_t entry_size = lib::read_le<uint32_t>(tag, 8);
    if (entry_size < MMAP_ENTRY_MIN || entry_size % 8 != 0)
        return fail("memory map entry size is invalid", offset);
    for (size_t pos = 16; pos + entry_size <= tag.size(); pos += entry_size) {
        if (info.region_count == BootInfo::MAX_REGIONS)
            return fail("memory map has more regions than the kernel supports", offset + pos);
        MemoryRegion& region = info.regions[info.region_count++];
        region.base = lib::PhysAddr(lib::read_le<uint64_t>(tag, pos));
        region.length = lib::read_le<uint64_t>(tag, pos + 8);
        region.type = memory_type(lib::read_le<uint32_t>(tag, pos + 16));
        if (region.base.value() + region.length < region.base.value())
            return fail("memory map region wraps around the address space", offset + pos);
    }
    return {};
}

std::expected<void, ParseError> parse_framebuffer(std::span<const uint8_t> tag, size_t offset,
                                                  BootInfo& info) {
    // Common part: address, pitch, width, height, bpp, type, then a reserved field. The
    // specification's table shows one reserved byte, but GRUB (the loader we boot with) writes
    // a 16-bit one, so the colour layout starts at byte 32.
    if (tag.size() < 32)
        return fail("framebuffer tag is too short", offset);
    uint8_t type = lib::read_le<uint8_t>(tag, 29);
    if (type != FRAMEBUFFER_TYPE_RGB)
        return {}; // indexed or text mode: valid, but nothing the console can draw on
    if (tag.size() < 32 + 6)
        return fail("RGB framebuffer tag lacks its colour layout", offset);
    Framebuffer fb;
    fb.base = lib::PhysAddr(lib::read_le<uint64_t>(tag, 8));
    fb.pitch = lib::read_le<uint32_t>(tag, 16);
    fb.width = lib::read_le<uint32_t>(tag, 20);
    fb.height = lib::read_le<uint32_t>(tag, 24);
    fb.bpp = lib::read_le<uint8_t>(tag, 28);
    fb.red_shift = lib::read_le<uint8_t>(tag, 32);
    fb.green_shift = lib::read_le<uint8_t>(tag, 34);
    fb.blue_shift = lib::read_le<uint8_t>(tag, 36);
    if (lib::read_le<uint8_t>(tag, 33) != 8 || lib::read_le<uint8_t>(tag, 35) != 8 || lib::read_le<uint8_t>(tag, 37) != 8)
        return {}; // the console packs 8-bit channels only
    if (fb.bpp != 32 || fb.width == 0 || fb.height == 0 || fb.pitch < fb.width * 4)
        return {}; // a layout the console does not draw; serial logging goes on alone
    info.framebuffer = fb;
    return {};
}

} // namespace

uint32_t declared_size(std::span<const uint8_t> first_eight_bytes) {
    if (first_eight_bytes.size() < 8)
        return 0;
    return lib::read_le<uint32_t>(first_eight_bytes, 0);
}

std::expected<BootInfo, ParseError> parse(std::span<const uint8_t> block, lib::PhysAddr block_phys) {
    if (block.size() < TAG_HEADER + TAG_HEADER)
        return fail("information block is smaller than its header and end tag", 0);
    uint32_t total = lib::read_le<uint32_t>(block, 0);
    if (total < TAG_HEADER + TAG_HEADER || total > block.size())
        return fail("information block size is out of range", 0);
    block = block.first(total);

    BootInfo info;
    info.boot_info_start = block_phys;
    info.boot_info_end = block_phys + total;
    bool saw_end = false;
    bool saw_new_rsdp = false;

    for (size_t offset = TAG_HEADER; offset < total;) {
        if (offset % 8 != 0)
            return fail("tag is not 8-byte aligned", offset);
        if (total - offset < TAG_HEADER)
            return fail("tag header runs past the end of the block", offset);
        uint32_t type = lib::read_le<uint32_t>(block, offset);
        uint32_t size = lib::read_le<uint32_t>(block, offset + 4);
        if (size < TAG_HEADER || size > total - offset)
            return fail("tag size runs past the end of the block", offset);
        std::span<const uint8_t> tag = block.subspan(offset, size);

        switch (type) {
        case END:
            if (size != TAG_HEADER)
                return fail("end tag has the wrong size", offset);
            saw_end = true;
            break;
        case COMMAND_LINE:
            info.command_line = TRY(read_string(tag, TAG_HEADER, offset));
            break;
        case LOADER_NAME:
            info.loader_name = TRY(read_string(tag, TAG_HEADER, offset));
            break;
        case MODULE: {
            if (size < 17)
                return fail("module tag is too short", offset);
            if (info.module_count == BootInfo::MAX_MODULES)
                return fail("more modules than the kernel supports", offset);
            BootModule& module = info.modules[info.module_count];
            module.start = lib::PhysAddr(lib::read_le<uint32_t>(tag, 8));
            module.end = lib::PhysAddr(lib::read_le<uint32_t>(tag, 12));
            if (module.end < module.start)
                return fail("module ends before it starts", offset);
            module.name = TRY(read_string(tag, 16, offset));
            ++info.module_count;
            break;
        }
        case MEMORY_MAP:
            TRY(parse_memory_map(tag, offset, info));
            break;
        case FRAMEBUFFER:
            TRY(parse_framebuffer(tag, offset, info));
            break;
        case ACPI_OLD_RSDP:
        case ACPI_NEW_RSDP:
            // The tag holds a copy of the RSDP itself; its address is where that copy lives.
            if (size < TAG_HEADER + 20)
                return fail("ACPI RSDP tag is too short", offset);
            if (type == ACPI_NEW_RSDP || !saw_new_rsdp) {
                info.rsdp = block_phys + (offset + TAG_HEADER);
                info.rsdp_is_xsdp = type == ACPI_NEW_RSDP;
                saw_new_rsdp = saw_new_rsdp || type == ACPI_NEW_RSDP;
            }
            break;
        default:
            break; // tags the kernel does not use are skipped by their size
        }
        if (saw_end)
            break;
        offset += (size + 7) & ~size_t(7);
    }
    if (!saw_end)
        return fail("information block has no end tag", total);
    if (info.region_count == 0)
        return fail("information block has no memory map", total);
    return info;
}

} // namespace kernel::multiboot2
