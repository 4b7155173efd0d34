// BootInfo: everything the kernel learns from its boot loader, in one protocol-neutral form.
// Only kernel/boot/ reads Multiboot2 structures; another boot protocol is another adapter that
// fills this struct. Fixed capacities: it is built before any allocator exists.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/address.h"

namespace kernel {

enum class MemoryType : uint8_t {
    Usable,          // free RAM the kernel may allocate
    Reserved,        // firmware or hardware owned; never touch
    AcpiReclaimable, // holds ACPI tables; usable once they are parsed
    AcpiNvs,         // firmware keeps state here across sleep; never touch
    Defective,       // bad RAM reported by firmware
};

struct MemoryRegion {
    lib::PhysAddr base;
    uint64_t length = 0;
    MemoryType type = MemoryType::Reserved;
};

struct Framebuffer {
    lib::PhysAddr base;
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t pitch = 0; // bytes per scan line, which may exceed width * bytes per pixel
    uint8_t bpp = 0;
    uint8_t red_shift = 16, green_shift = 8, blue_shift = 0; // 8-bit channels at these bit offsets
};

struct BootModule {
    lib::PhysAddr start;
    lib::PhysAddr end; // one past the last byte
    const char* name = ""; // the module's command line from the boot loader
};

struct BootInfo {
    static constexpr size_t MAX_REGIONS = 128;
    static constexpr size_t MAX_MODULES = 16;

    MemoryRegion regions[MAX_REGIONS];
    size_t region_count = 0;

    Framebuffer framebuffer; // bpp == 0 when the loader gave no linear framebuffer
    bool has_framebuffer() const { return framebuffer.bpp != 0; }

    lib::PhysAddr rsdp;        // null when the loader reported no ACPI tables
    bool rsdp_is_xsdp = false; // ACPI 2.0+ RSDP (has an XSDT address)

    BootModule modules[MAX_MODULES];
    size_t module_count = 0;

    const char* command_line = "";
    const char* loader_name = "";

    lib::PhysAddr boot_info_start; // the loader's own information block, which the PMM reserves
    lib::PhysAddr boot_info_end;
};

} // namespace kernel
