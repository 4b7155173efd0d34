// What the kernel hands init, the one program it starts (docs/init.md): the capabilities in
// init's CNode, and the environment strings that describe the boot modules and devices behind
// them. Every other process gets its capabilities from init (its manifest entry) or from
// whoever created it.
#pragma once

#include "abi/capability.h"

namespace mnos::init_caps {

inline constexpr CapSlot SELF{0};         // init's own Process (all rights)
inline constexpr CapSlot BUDGET{1};       // the root MemoryBudget: all memory not yet used
inline constexpr CapSlot IO_PORTS{2};     // IoPort covering every port, 0..0xffff
inline constexpr CapSlot IRQ_CONTROL{3};  // IrqControl: claims the ISA interrupt lines
inline constexpr CapSlot INITRD{4};       // MemoryFrame of the initrd archive: READ and GRANT only
inline constexpr CapSlot FRAMEBUFFER{5};  // MemoryFrame of the framebuffer, when there is one
inline constexpr CapSlot DEVICE_CONTROL{6}; // DeviceControl: claims PCI devices
inline constexpr uint32_t FIRST_FREE = 7; // the slots from here on are empty

} // namespace mnos::init_caps

namespace mnos::init_env {

// "MNOS_INITRD_BYTES=<n>": the archive's length (its frame is rounded up to whole pages, zeroed).
inline constexpr const char* INITRD_BYTES = "MNOS_INITRD_BYTES";
// "MNOS_FRAMEBUFFER=<width>x<height>x<bpp>,<pitch>,<offset>": the framebuffer's geometry, and
// where its first pixel lies in the frame (the frame starts on the page boundary below it).
inline constexpr const char* FRAMEBUFFER = "MNOS_FRAMEBUFFER";
// "MNOS_TSC_HZ=<n>": the time stamp counter's calibrated frequency. RDTSC works in Ring 3 and
// counts from reset, so RDTSC / n is the time since the machine started, in seconds.
inline constexpr const char* TSC_HZ = "MNOS_TSC_HZ";
// "MNOS_WALL_CLOCK_BASE_NS=<n>": the Unix time, in nanoseconds, at which the TSC read 0 (from
// the CMOS clock at boot), so the time of day is n + RDTSC / MNOS_TSC_HZ seconds; absent when
// the machine has no valid CMOS clock.
inline constexpr const char* WALL_CLOCK_BASE_NS = "MNOS_WALL_CLOCK_BASE_NS";
// "MNOS_ACPI_PM1A_CNT=<port>": the FADT's PM1a control port, where init writes S5 to power
// off; absent without a usable FADT.
inline constexpr const char* ACPI_PM1A_CONTROL = "MNOS_ACPI_PM1A_CNT";

} // namespace mnos::init_env

namespace mnos::service_caps {

// The first slots of every process init starts (docs/init.md); a manifest entry's capabilities
// follow from FIRST_GRANT on, in the order the entry lists them.
inline constexpr CapSlot SELF{0};         // its own Process (READ, WRITE, GRANT; not REVOKE)
inline constexpr CapSlot BUDGET{1};       // its MemoryBudget, split from init's
inline constexpr CapSlot NAME_SERVICE{2}; // init's name service, badged with who it is
inline constexpr uint32_t FIRST_GRANT = 3;

} // namespace mnos::service_caps
