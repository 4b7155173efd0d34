// The capability list walk: MSI, MSI-X and the virtio vendor capabilities decoded as QEMU lays
// them out, and every hostile list (loops, pointers into the header, capabilities that run off
// the end, reserved fields, structures outside their BARs) refused in bounded work.
#include <gtest/gtest.h>

#include "fake_config_space.h"
#include "lib/pci/capabilities.h"
#include "pci_test_support.h"

using namespace pci_test;
using lib::pci::Bar;
using lib::pci::BarKind;
using lib::pci::Bars;
using lib::pci::CapabilityList;
using lib::pci::Fault;
using lib::pci::VirtioStructure;

namespace {

constexpr Bdf DEV{0, 4, 0};
constexpr uint16_t VIRTIO = 0x1af4;

FakeFunction& device(FakeBus& bus, uint16_t vendor = VIRTIO) {
    return bus.add(DEV, vendor, 0x1041, 0x02, 0x00);
}

lib::pci::PciResult<> walk(FakeBus& bus, CapabilityList& caps, uint16_t vendor = VIRTIO) {
    return lib::pci::walk_capabilities(bus, DEV, vendor, caps);
}

// A modern virtio-pci device as QEMU builds it: MSI-X with its table and PBA in BAR 1, the
// virtio structures in the 64-bit BAR 4 (common 0, ISR 0x1000, device 0x2000, notify 0x3000).
void qemu_virtio_device(FakeFunction& f) {
    f.memory32(1, 0xfebd1000, 0x1000).memory64(4, 0xfe000000, 0x4000, true);
    f.add_msix(3, 1, 0, 1, 0x800);
    f.add_virtio(5, 0, 0, 0); // PCI configuration access
    f.add_virtio(2, 4, 0x3000, 0x1000, 4);
    f.add_virtio(4, 4, 0x2000, 0x1000);
    f.add_virtio(3, 4, 0x1000, 0x1000);
    f.add_virtio(1, 4, 0x0000, 0x1000);
}

Bars bars_of(FakeBus& bus) {
    Bars bars;
    EXPECT_TRUE(lib::pci::size_bars(bus, DEV, lib::pci::MAX_BARS, bars));
    return bars;
}

} // namespace

TEST(Capabilities, NoneWithoutTheStatusBit) {
    FakeBus bus;
    device(bus).set8(lib::pci::reg::CAPABILITIES, 0x40); // a pointer, but the status bit is clear
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps));
    EXPECT_EQ(caps.count, 0u);
}

TEST(Capabilities, QemuVirtioDevice) {
    FakeBus bus;
    qemu_virtio_device(device(bus));
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps));
    EXPECT_EQ(caps.count, 6u);
    ASSERT_TRUE(caps.msix.has_value());
    EXPECT_EQ(caps.msix->table_size, 3);
    EXPECT_EQ(caps.msix->table_bar, 1);
    EXPECT_EQ(caps.msix->pba_offset, 0x800u);
    EXPECT_FALSE(caps.msi.has_value());
    EXPECT_EQ(caps.virtio_count, 5u);
    const auto* notify = caps.find_virtio(VirtioStructure::Notify);
    ASSERT_NE(notify, nullptr);
    EXPECT_EQ(notify->bar, 4);
    EXPECT_EQ(notify->region_offset, 0x3000u);
    EXPECT_EQ(notify->notify_multiplier, 4u);
    const auto* common = caps.find_virtio(VirtioStructure::Common);
    ASSERT_NE(common, nullptr);
    EXPECT_EQ(common->length, 0x1000u);
    EXPECT_TRUE(lib::pci::check_capability_regions(caps, bars_of(bus)));
}

TEST(Capabilities, VendorCapabilitiesOfOtherVendorsAreListedNotDecoded) {
    FakeBus bus;
    device(bus, 0x8086).add_virtio(1, 4, 0, 0x1000);
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps, 0x8086));
    EXPECT_TRUE(caps.has(lib::pci::cap_id::VENDOR));
    EXPECT_EQ(caps.virtio_count, 0u);
}

TEST(Capabilities, MsiVariants) {
    FakeBus bus;
    // 64-bit, per-vector masking, 8 vectors capable (MMC = 3).
    device(bus).add_capability(0x05, {uint8_t(3 << 1 | 1 << 7), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps));
    ASSERT_TRUE(caps.msi.has_value());
    EXPECT_EQ(caps.msi->vectors, 8);
    EXPECT_TRUE(caps.msi->address_64);
    EXPECT_TRUE(caps.msi->per_vector_masking);
}

TEST(Capabilities, AllFortyEightSlotsInAChainEnd) {
    FakeBus bus;
    FakeFunction& f = device(bus);
    for (int i = 0; i < 48; ++i)
        f.add_capability(0x01, {0, 0});
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps));
    EXPECT_EQ(caps.count, 48u);
}

TEST(CapabilitiesHostile, ListThatPointsAtItself) {
    FakeBus bus;
    uint8_t at = device(bus).add_capability(0x01, {0, 0});
    bus.at(DEV).set_next(at, at);
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::CapListLoops));
    EXPECT_EQ(caps.count, 0u) << "a refused list leaves nothing behind";
}

TEST(CapabilitiesHostile, LongLoopEndsInBoundedWork) {
    FakeBus bus;
    FakeFunction& f = device(bus);
    uint8_t first = 0, last = 0;
    for (int i = 0; i < 40; ++i) {
        last = f.add_capability(0x01, {0, 0});
        if (i == 0)
            first = last;
    }
    f.set_next(last, first);
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::CapListLoops));
    EXPECT_LT(bus.accesses(), 200u);
}

TEST(CapabilitiesHostile, ReservedLowPointerBitsAreIgnoredNotFollowedIntoALoop) {
    FakeBus bus;
    uint8_t at = device(bus).add_capability(0x01, {0, 0});
    bus.at(DEV).set_next(at, uint8_t(at | 3)); // same dword once the reserved bits are masked
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::CapListLoops));
}

TEST(CapabilitiesHostile, PointerIntoTheHeader) {
    FakeBus bus;
    uint8_t at = device(bus).add_capability(0x01, {0, 0});
    bus.at(DEV).set_next(at, 0x10);
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::CapPointerInHeader));
    FakeBus bus2;
    device(bus2).set16(lib::pci::reg::STATUS, lib::pci::STATUS_CAPABILITIES);
    bus2.at(DEV).set8(lib::pci::reg::CAPABILITIES, 0x3c);
    EXPECT_EQ(error_of(walk(bus2, caps)), pci_error(Fault::CapPointerInHeader));
}

TEST(CapabilitiesHostile, MsixRunningOffTheEnd) {
    FakeBus bus;
    FakeFunction& f = device(bus);
    f.set16(lib::pci::reg::STATUS, lib::pci::STATUS_CAPABILITIES);
    f.set8(lib::pci::reg::CAPABILITIES, 0xf8);
    f.set8(0xf8, lib::pci::cap_id::MSIX);
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::CapOverrunsSpace));
}

TEST(CapabilitiesHostile, MsiWithMaskingRunningOffTheEnd) {
    FakeBus bus;
    FakeFunction& f = device(bus);
    f.set16(lib::pci::reg::STATUS, lib::pci::STATUS_CAPABILITIES);
    f.set8(lib::pci::reg::CAPABILITIES, 0xec);
    f.set8(0xec, lib::pci::cap_id::MSI);
    f.set16(0xee, 1 << 7 | 1 << 8); // 64-bit with masking: 24 bytes from 0xec pass 0x100
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::CapOverrunsSpace));
}

TEST(CapabilitiesHostile, MsiReservedVectorCount) {
    FakeBus bus;
    device(bus).add_capability(0x05, {uint8_t(6 << 1), 0, 0, 0, 0, 0, 0, 0});
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::MsiReservedVectors));
}

TEST(CapabilitiesHostile, MsixReservedBarIndicator) {
    FakeBus bus;
    device(bus).add_msix(4, 6, 0, 1, 0x800);
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::MsixBadBir));
}

TEST(CapabilitiesHostile, MsixTableOutsideItsBar) {
    FakeBus bus;
    FakeFunction& f = device(bus);
    f.memory32(1, 0xfebd1000, 0x1000);
    f.add_msix(256, 1, 0x800, 1, 0); // 256 entries are 4 KiB: from 0x800 they pass the BAR's end
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps));
    EXPECT_EQ(error_of(lib::pci::check_capability_regions(caps, bars_of(bus))),
              pci_error(Fault::MsixOutsideBar));
    FakeBus bus2;
    device(bus2).io(1, 0xc000, 0x1000);
    bus2.at(DEV).add_msix(1, 1, 0, 1, 0x800); // an I/O BAR cannot hold a table
    ASSERT_TRUE(lib::pci::walk_capabilities(bus2, DEV, VIRTIO, caps));
    Bars bars;
    ASSERT_TRUE(lib::pci::size_bars(bus2, DEV, 6, bars));
    EXPECT_EQ(error_of(lib::pci::check_capability_regions(caps, bars)),
              pci_error(Fault::MsixOutsideBar));
}

TEST(CapabilitiesHostile, VirtioStructurePastItsBar) {
    FakeBus bus;
    FakeFunction& f = device(bus);
    f.memory64(4, 0xfe000000, 0x4000, true);
    f.add_virtio(1, 4, 0x3800, 0x1000);
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps));
    EXPECT_EQ(error_of(lib::pci::check_capability_regions(caps, bars_of(bus))),
              pci_error(Fault::VirtioRegionOutsideBar));
    // An offset + length that wraps 32 bits is outside too, not a small region.
    FakeBus bus2;
    device(bus2).memory64(4, 0xfe000000, 0x4000, true);
    bus2.at(DEV).add_virtio(1, 4, 0xfffff000, 0x2000);
    ASSERT_TRUE(lib::pci::walk_capabilities(bus2, DEV, VIRTIO, caps));
    Bars bars;
    ASSERT_TRUE(lib::pci::size_bars(bus2, DEV, 6, bars));
    EXPECT_EQ(error_of(lib::pci::check_capability_regions(caps, bars)),
              pci_error(Fault::VirtioRegionOutsideBar));
}

TEST(CapabilitiesHostile, VirtioCapabilityShorterThanItsLayout) {
    FakeBus bus;
    uint8_t at = device(bus).add_virtio(2, 4, 0x3000, 0x1000, 4);
    bus.at(DEV).set8(at + 2, 16); // a notify capability needs 20 bytes
    CapabilityList caps;
    EXPECT_EQ(error_of(walk(bus, caps)), pci_error(Fault::VirtioCapTooShort));
}

TEST(Capabilities, VirtioReservedBarIndicatorIsIgnored) {
    FakeBus bus;
    device(bus).add_virtio(1, 7, 0, 0x1000);
    CapabilityList caps;
    ASSERT_TRUE(walk(bus, caps));
    EXPECT_EQ(caps.virtio_count, 0u);
    EXPECT_EQ(caps.virtio_ignored, 1u);
}
