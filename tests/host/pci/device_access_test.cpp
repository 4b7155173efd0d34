// What a PciDevice capability lets its driver do (lib/pci/device_access.h): configuration reads
// inside the 256 bytes, writes to the command register's driver bits only, MmioRegions inside
// the device's own memory BARs and clear of the MSI-X table and PBA.
#include <gtest/gtest.h>

#include "lib/pci/device_access.h"

namespace {

using lib::pci::Bar;
using lib::pci::BarKind;
using lib::pci::Device;
using mnos::Error;

constexpr uint64_t PAGE = 4096;

// A virtio-like device: BAR 1 a 4 KiB region with the MSI-X table at 0 and the PBA at 0x800,
// BAR 4 a 16 KiB 64-bit region of device registers, BAR 0 I/O ports.
Device sample_device() {
    Device d;
    d.bar_count = 6;
    d.bars[0] = Bar{BarKind::Io, false, 0xc000, 0x40};
    d.bars[1] = Bar{BarKind::Memory32, false, 0xfeb00000, 0x1000};
    d.bars[4] = Bar{BarKind::Memory64, true, 0xfe000000, 0x4000};
    d.caps.msix = lib::pci::Msix{.offset = 0x98, .table_size = 2, .table_bar = 1,
                                 .table_offset = 0, .pba_bar = 1, .pba_offset = 0x800};
    return d;
}

TEST(DeviceAccess, ConfigReadsAreAlignedAndInside) {
    EXPECT_TRUE(lib::pci::check_config_read(0, 4));
    EXPECT_TRUE(lib::pci::check_config_read(0xfc, 4));
    EXPECT_TRUE(lib::pci::check_config_read(0xff, 1));
    EXPECT_TRUE(lib::pci::check_config_read(0x06, 2));
    EXPECT_EQ(lib::pci::check_config_read(0x100, 1).error(), Error::InvalidArgument);
    EXPECT_EQ(lib::pci::check_config_read(0x02, 4).error(), Error::InvalidArgument);
    EXPECT_EQ(lib::pci::check_config_read(0x01, 2).error(), Error::InvalidArgument);
    EXPECT_EQ(lib::pci::check_config_read(0, 3).error(), Error::InvalidArgument);
    EXPECT_EQ(lib::pci::check_config_read(0, 8).error(), Error::InvalidArgument);
}

TEST(DeviceAccess, OnlyTheCommandRegistersDriverBitsAreWritable) {
    using namespace lib::pci;
    EXPECT_TRUE(check_config_write(reg::COMMAND, 2, COMMAND_MEMORY | COMMAND_BUS_MASTER));
    EXPECT_TRUE(check_config_write(reg::COMMAND, 2, COMMAND_INTX_DISABLE | COMMAND_IO));
    EXPECT_TRUE(check_config_write(reg::COMMAND, 2, 0));
    // SERR#, parity and the rest are the platform's.
    EXPECT_EQ(check_config_write(reg::COMMAND, 2, 1u << 8).error(), Error::InvalidArgument);
    EXPECT_EQ(check_config_write(reg::COMMAND, 4, COMMAND_MEMORY).error(), Error::InvalidArgument);
    EXPECT_EQ(check_config_write(reg::COMMAND, 2, 0x10002).error(), Error::InvalidArgument);
    // BARs, the status register, the MSI-X control word: never.
    EXPECT_EQ(check_config_write(reg::BAR0, 4, 0).error(), Error::InvalidArgument);
    EXPECT_EQ(check_config_write(reg::STATUS, 2, 0).error(), Error::InvalidArgument);
    EXPECT_EQ(check_config_write(0x9a, 2, 0x8000).error(), Error::InvalidArgument);
}

TEST(DeviceAccess, RegionsInsideAMemoryBarAreGranted) {
    Device d = sample_device();
    EXPECT_EQ(*lib::pci::check_mmio_range(d, 0xfe000000, 4), 4);
    EXPECT_EQ(*lib::pci::check_mmio_range(d, 0xfe003000, 1), 4);
}

TEST(DeviceAccess, RegionsOutsideTheDevicesBarsAreNotFound) {
    Device d = sample_device();
    // One page past the end of BAR 4, straddling its end, below it.
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfe004000, 1).error(), Error::NotFound);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfe003000, 2).error(), Error::NotFound);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfdfff000, 2).error(), Error::NotFound);
    // Another device's BAR, the local APIC, RAM, and the I/O BAR's numbers taken as memory.
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfd000000, 1).error(), Error::NotFound);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfee00000, 1).error(), Error::NotFound);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0x100000, 1).error(), Error::NotFound);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xc000, 1).error(), Error::NotFound);
}

TEST(DeviceAccess, TheMsixTableAndPbaStayTheKernels) {
    Device d = sample_device();
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfeb00000, 1).error(), Error::Busy);
    // Table in BAR 4 this time, in its second page: the first page is free, the second not.
    d.caps.msix->table_bar = 4;
    d.caps.msix->table_offset = 0x1000;
    d.caps.msix->pba_bar = 4;
    d.caps.msix->pba_offset = 0x1800;
    EXPECT_EQ(*lib::pci::check_mmio_range(d, 0xfe000000, 1), 4);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfe000000, 2).error(), Error::Busy);
    EXPECT_EQ(*lib::pci::check_mmio_range(d, 0xfe002000, 2), 4);
}

TEST(DeviceAccess, MalformedRangesAreRefused) {
    Device d = sample_device();
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfe000800, 1).error(), Error::InvalidArgument);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfe000000, 0).error(), Error::InvalidArgument);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfffffffffffff000, 2).error(), Error::Overflow);
    EXPECT_EQ(lib::pci::check_mmio_range(d, 0xfe000000, UINT64_MAX / PAGE).error(),
              Error::Overflow);
}

} // namespace
