// Gathering the PMM's reservations from BootInfo.
#include "kernel/mm/boot_reservations.h"

#include <gtest/gtest.h>

#include <array>

namespace {

using kernel::BootInfo;
using kernel::mm::collect_boot_reservations;
using kernel::mm::MAX_BOOT_RESERVATIONS;
using kernel::mm::PhysRange;
using lib::PhysAddr;

PhysRange range(uint64_t start, uint64_t end) { return {PhysAddr(start), PhysAddr(end)}; }

TEST(BootReservations, CollectsEverythingTheLoaderPlaced) {
    BootInfo info;
    info.boot_info_start = PhysAddr(0x10000);
    info.boot_info_end = PhysAddr(0x10800);
    info.modules[0] = {PhysAddr(0x800000), PhysAddr(0x900000), "initrd"};
    info.modules[1] = {PhysAddr(0x900000), PhysAddr(0x900000), "empty"};
    info.module_count = 2;
    info.framebuffer.base = PhysAddr(0xfd000000);
    info.framebuffer.width = 1024;
    info.framebuffer.height = 768;
    info.framebuffer.pitch = 4096; // wider than width * 4: the pitch decides
    info.framebuffer.bpp = 32;
    std::array<PhysRange, MAX_BOOT_RESERVATIONS> out;
    auto count = collect_boot_reservations(info, range(0x200000, 0x400000), out);
    ASSERT_TRUE(count);
    ASSERT_EQ(*count, 4u) << "the empty module is skipped";
    EXPECT_EQ(out[0].start, PhysAddr(0x200000));
    EXPECT_EQ(out[1].end, PhysAddr(0x10800));
    EXPECT_EQ(out[2].start, PhysAddr(0x800000));
    EXPECT_EQ(out[3].start, PhysAddr(0xfd000000));
    EXPECT_EQ(out[3].end, PhysAddr(0xfd000000 + 4096 * 768));
}

TEST(BootReservations, TooSmallAnOutputIsAnError) {
    BootInfo info;
    info.boot_info_start = PhysAddr(0x10000);
    info.boot_info_end = PhysAddr(0x10800);
    std::array<PhysRange, 1> out;
    auto count = collect_boot_reservations(info, range(0x200000, 0x400000), out);
    ASSERT_FALSE(count);
    EXPECT_EQ(count.error(), lib::Error::Overflow);
}

TEST(BootReservations, NoFramebufferNoModules) {
    BootInfo info;
    std::array<PhysRange, MAX_BOOT_RESERVATIONS> out;
    auto count = collect_boot_reservations(info, range(0x200000, 0x300000), out);
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, 1u);
}

} // namespace
