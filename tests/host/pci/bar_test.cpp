// BAR decoding and sizing through the write-all-ones protocol, over fake functions whose BARs
// behave like hardware: each kind and width, the registers put back afterwards, decoding off
// while sizing, and one test per BAR that sizes to nonsense.
#include <gtest/gtest.h>

#include "fake_config_space.h"
#include "lib/pci/bar.h"
#include "pci_test_support.h"

using namespace pci_test;
using lib::pci::Bar;
using lib::pci::BarKind;
using lib::pci::Bars;
using lib::pci::Fault;

namespace {

constexpr Bdf DEV{0, 3, 0};

FakeFunction& device(FakeBus& bus) { return bus.add(DEV, 0x1af4, 0x1042, 0x01, 0x00); }

lib::pci::PciResult<> size(FakeBus& bus, Bars& bars, uint8_t count = lib::pci::MAX_BARS) {
    return lib::pci::size_bars(bus, DEV, count, bars);
}

} // namespace

TEST(Bar, EachKindAndWidthIsDecodedAndSized) {
    FakeBus bus;
    device(bus)
        .io(0, 0xc040, 0x20)
        .memory32(1, 0xfebd1000, 0x1000)
        .memory64(2, 0x800000000, 0x4000, true)
        .memory32(5, 0xfc000000, 0x1000000, true);
    Bars bars;
    ASSERT_TRUE(size(bus, bars));
    EXPECT_EQ(bars[0].kind, BarKind::Io);
    EXPECT_EQ(bars[0].base, 0xc040u);
    EXPECT_EQ(bars[0].size, 0x20u);
    EXPECT_EQ(bars[1].kind, BarKind::Memory32);
    EXPECT_FALSE(bars[1].prefetchable);
    EXPECT_EQ(bars[1].base, 0xfebd1000u);
    EXPECT_EQ(bars[1].size, 0x1000u);
    EXPECT_EQ(bars[2].kind, BarKind::Memory64);
    EXPECT_TRUE(bars[2].prefetchable);
    EXPECT_EQ(bars[2].base, 0x800000000u);
    EXPECT_EQ(bars[2].size, 0x4000u);
    EXPECT_EQ(bars[3].kind, BarKind::Absent) << "the upper half of BAR 2";
    EXPECT_EQ(bars[4].kind, BarKind::Absent) << "unimplemented: reads back zero";
    EXPECT_EQ(bars[5].kind, BarKind::Memory32);
    EXPECT_TRUE(bars[5].prefetchable);
    EXPECT_EQ(bars[5].size, 0x1000000u);
}

TEST(Bar, SixtyFourBitBarsLargerThanFourGiB) {
    FakeBus bus;
    device(bus).memory64(0, 0x4000000000, 0x1000000000, true);
    Bars bars;
    ASSERT_TRUE(size(bus, bars));
    EXPECT_EQ(bars[0].size, 0x1000000000u);
    EXPECT_EQ(bars[0].base, 0x4000000000u);
}

TEST(Bar, EveryRegisterIsPutBackAndDecodingIsOffWhileSizing) {
    FakeBus bus;
    device(bus).io(0, 0xc000, 0x40).memory32(1, 0xfebd0000, 0x1000).memory64(2, 0xe0000000, 0x100000);
    FakeFunction before = bus.at(DEV);
    Bars bars;
    ASSERT_TRUE(size(bus, bars));
    EXPECT_EQ(bus.at(DEV).bytes, before.bytes);
    EXPECT_EQ(bus.bar_writes_while_decoding(), 0u);
    EXPECT_EQ(bus.unaligned_accesses(), 0u);
}

TEST(Bar, SixteenBitIoDecoderWithHardwiredUpperBits) {
    FakeBus bus;
    device(bus).raw_bar(0, 0xc001, 0x0000fff0);
    Bars bars;
    ASSERT_TRUE(size(bus, bars));
    EXPECT_EQ(bars[0].kind, BarKind::Io);
    EXPECT_EQ(bars[0].size, 0x10u);
}

TEST(Bar, BridgeHasTwoBars) {
    FakeBus bus;
    // A bridge's bus numbers sit where a device's BAR 2 would: sizing must not touch them.
    bus.add(DEV, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).memory32(0, 0xfea00000, 0x100).bridge_buses(0, 1, 1);
    Bars bars;
    ASSERT_TRUE(size(bus, bars, lib::pci::BRIDGE_BARS));
    EXPECT_EQ(bars[0].size, 0x100u);
    EXPECT_EQ(bus.at(DEV).u8(lib::pci::reg::SECONDARY_BUS), 1);
}

TEST(BarNonsense, ReservedMemoryType) {
    FakeBus bus;
    device(bus).raw_bar(0, 0xfebd0002, 0xfffff000); // type 1: "below 1 MiB", reserved since 3.0
    Bars bars;
    EXPECT_EQ(error_of(size(bus, bars)), pci_error(Fault::BarReservedType));
    device(bus).raw_bar(0, 0xfebd0006, 0xfffff000); // type 3
    EXPECT_EQ(error_of(size(bus, bars)), pci_error(Fault::BarReservedType));
}

TEST(BarNonsense, SixtyFourBitBarInTheLastSlot) {
    FakeBus bus;
    device(bus).raw_bar(5, 0xfebd0004, 0xfffff000);
    Bars bars;
    EXPECT_EQ(error_of(size(bus, bars)), pci_error(Fault::Bar64InLastSlot));
    bus.add(DEV, 0x1b36, 1, 0x06, 0x04, 0, 1).raw_bar(1, 0xfebd0004, 0xfffff000);
    EXPECT_EQ(error_of(size(bus, bars, lib::pci::BRIDGE_BARS)), pci_error(Fault::Bar64InLastSlot));
}

TEST(BarNonsense, MaskWithAHole) {
    FakeBus bus;
    device(bus).raw_bar(1, 0xfe000000, 0xff0ff000);
    Bars bars;
    EXPECT_EQ(error_of(size(bus, bars)), pci_error(Fault::BarMaskNotContiguous));
    // Across the halves of a 64-bit BAR: upper half writable, top of the lower half not.
    device(bus).raw_bar(0, 0x00000004, 0x7ffff000).raw_bar(1, 0x1, 0xffffffff);
    EXPECT_EQ(error_of(size(bus, bars)), pci_error(Fault::BarMaskNotContiguous));
}

TEST(BarNonsense, BaseNotAlignedToSize) {
    // Bit 11 reads as set, yet only bits 12 and up stick: a device whose address and size
    // disagree.
    FakeBus bus;
    device(bus).raw_bar(0, 0xfebd0800, 0xfffff000);
    Bars bars;
    EXPECT_EQ(error_of(size(bus, bars)), pci_error(Fault::BarMisaligned));
}

TEST(BarNonsense, IoBarPastTheLastPort) {
    FakeBus bus;
    device(bus).raw_bar(0, 0x00010001, 0xffffff00);
    Bars bars;
    EXPECT_EQ(error_of(size(bus, bars)), pci_error(Fault::BarBeyondIoSpace));
}

TEST(BarNonsense, RefusedSizingStillRestoresTheCommandRegister) {
    FakeBus bus;
    device(bus).memory32(0, 0xfebd0000, 0x1000).raw_bar(1, 0xfe000000, 0xff0ff000);
    FakeFunction before = bus.at(DEV);
    Bars bars;
    EXPECT_FALSE(size(bus, bars));
    EXPECT_EQ(bus.at(DEV).bytes, before.bytes);
    for (const Bar& b : bars)
        EXPECT_EQ(b.kind, BarKind::Absent) << "a refused function reports no BARs";
}

TEST(Bar, ContainsChecksWithoutWrapping) {
    Bar b{BarKind::Memory32, false, 0xfebd0000, 0x1000};
    EXPECT_TRUE(b.contains(0, 0x1000));
    EXPECT_TRUE(b.contains(0xff0, 0x10));
    EXPECT_FALSE(b.contains(0xff0, 0x11));
    EXPECT_FALSE(b.contains(0x1001, 0));
    EXPECT_FALSE(b.contains(0x10, UINT64_MAX));
    EXPECT_FALSE(Bar{}.contains(0, 0));
}
