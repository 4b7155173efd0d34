// Bus enumeration over synthetic machines: QEMU's q35 and pc layouts, multi-function devices,
// buses behind bridges, and hostile topologies (bridges that loop or point backwards, devices
// that fail their checks, random configuration space), which must be refused or skipped and
// always end in bounded work.
#include <gtest/gtest.h>

#include <random>

#include "fake_config_space.h"
#include "lib/pci/class_names.h"
#include "lib/pci/enumerate.h"
#include "pci_test_support.h"

using namespace pci_test;
using lib::pci::Device;
using lib::pci::Fault;
using lib::pci::HeaderKind;
using lib::pci::Inventory;

namespace {

// QEMU q35 with a virtio device behind a PCIe root port: host bridge, VGA, e1000e, the root
// port (bus 1), the ICH9 LPC/ISA bridge, SATA and SMBus at 1f.0, .2 and .3.
void q35(FakeBus& bus) {
    bus.add({0, 0, 0}, 0x8086, 0x29c0, 0x06, 0x00);
    bus.add({0, 1, 0}, 0x1234, 0x1111, 0x03, 0x00).memory32(0, 0xfd000000, 0x1000000, true);
    bus.add({0, 2, 0}, 0x8086, 0x10d3, 0x02, 0x00).memory32(0, 0xfea00000, 0x20000).io(2, 0xc000, 0x20);
    bus.add({0, 3, 0}, 0x1b36, 0x000c, 0x06, 0x04, 0, 1).bridge_buses(0, 1, 1);
    bus.add({0, 0x1f, 0}, 0x8086, 0x2918, 0x06, 0x01).multifunction();
    bus.add({0, 0x1f, 2}, 0x8086, 0x2922, 0x01, 0x06, 0x01).io(4, 0xc060, 0x20);
    bus.add({0, 0x1f, 3}, 0x8086, 0x2930, 0x0c, 0x05).io(4, 0x0700, 0x40);
    FakeFunction& rng = bus.add({1, 0, 0}, 0x1af4, 0x1044, 0x00, 0xff);
    rng.memory64(4, 0xfe000000, 0x4000, true).memory32(1, 0xfe800000, 0x1000);
    rng.add_msix(2, 1, 0, 1, 0x800);
    rng.add_virtio(1, 4, 0, 0x1000);
    rng.add_virtio(2, 4, 0x3000, 0x1000, 4);
}

const Device& at(const Inventory& inv, Bdf bdf) {
    const Device* d = inv.find(bdf);
    EXPECT_NE(d, nullptr) << int(bdf.bus) << ":" << int(bdf.device) << "." << int(bdf.function);
    static Device none;
    return d ? *d : none;
}

} // namespace

TEST(Enumerate, QemuQ35WithADeviceBehindARootPort) {
    FakeBus bus;
    q35(bus);
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv);
    EXPECT_EQ(inv->size(), 8u);
    EXPECT_EQ(inv->refusal_count(), 0u);
    EXPECT_EQ(inv->buses_scanned(), 2u);
    EXPECT_EQ(at(*inv, {0, 0x1f, 2}).vendor_id, 0x8086);
    EXPECT_STREQ(at(*inv, {0, 0x1f, 2}).class_name(), "SATA controller");
    EXPECT_EQ(at(*inv, {0, 3, 0}).header, HeaderKind::Bridge);
    EXPECT_EQ(at(*inv, {0, 3, 0}).secondary_bus, 1);
    const Device& rng = at(*inv, {1, 0, 0});
    EXPECT_EQ(rng.device_id, 0x1044);
    EXPECT_TRUE(rng.caps.msix.has_value());
    EXPECT_EQ(rng.caps.virtio_count, 2u);
    EXPECT_EQ(rng.bars[4].size, 0x4000u);
    EXPECT_EQ(at(*inv, {0, 1, 0}).bars[0].size, 0x1000000u);
    EXPECT_EQ(bus.bar_writes_while_decoding(), 0u);
}

TEST(Enumerate, FunctionsBeyondZeroOnlyOnMultifunctionDevices) {
    FakeBus bus;
    bus.add({0, 1, 0}, 0x8086, 0x7000, 0x06, 0x01); // not marked multi-function
    bus.add({0, 1, 1}, 0x8086, 0x7010, 0x01, 0x01);
    bus.add({0, 2, 0}, 0x8086, 0x7000, 0x06, 0x01).multifunction();
    bus.add({0, 2, 5}, 0x8086, 0x7113, 0x06, 0x80);
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv);
    EXPECT_EQ(inv->find({0, 1, 1}), nullptr);
    EXPECT_NE(inv->find({0, 2, 5}), nullptr) << "gaps between functions are allowed";
    EXPECT_EQ(inv->size(), 3u);
}

TEST(Enumerate, BridgesNestAndEachBusIsScannedOnce) {
    FakeBus bus;
    bus.add({0, 0, 0}, 0x8086, 0x1237, 0x06, 0x00);
    bus.add({0, 5, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(0, 1, 3);
    bus.add({1, 1, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(1, 2, 3);
    bus.add({2, 0, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(2, 3, 3);
    bus.add({3, 7, 0}, 0x1af4, 0x1001, 0x01, 0x00);
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv);
    EXPECT_NE(inv->find({3, 7, 0}), nullptr);
    EXPECT_EQ(inv->buses_scanned(), 4u);
}

TEST(EnumerateHostile, TwoBridgesClaimingOneBus) {
    FakeBus bus;
    bus.add({0, 1, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(0, 1, 1);
    bus.add({0, 2, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(0, 1, 1);
    bus.add({1, 0, 0}, 0x1af4, 0x1001, 0x01, 0x00);
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv);
    ASSERT_EQ(inv->refusal_count(), 1u);
    const auto& r = *inv->refusals_begin();
    EXPECT_EQ(r.bdf, (Bdf{0, 2, 0}));
    EXPECT_EQ(r.error, pci_error(Fault::BridgeBusLoop));
    EXPECT_EQ(inv->buses_scanned(), 2u);
    EXPECT_NE(inv->find({1, 0, 0}), nullptr);
}

TEST(EnumerateHostile, BridgeBackToItsOwnOrAnEarlierBus) {
    FakeBus bus;
    bus.add({0, 1, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(0, 1, 2);
    bus.add({1, 0, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(1, 1, 1); // itself
    bus.add({1, 1, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(1, 0, 0); // unconfigured
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv);
    ASSERT_EQ(inv->refusal_count(), 1u);
    EXPECT_EQ(inv->refusals_begin()->error, pci_error(Fault::BridgeBusOrder));
    EXPECT_EQ(inv->unconfigured_bridges(), 1u);
    EXPECT_EQ(inv->buses_scanned(), 2u);
}

TEST(EnumerateHostile, BridgeBeyondTheReachableBusesIsNotFollowed) {
    FakeBus bus;
    bus.add({0, 1, 0}, 0x1b36, 0x0001, 0x06, 0x04, 0, 1).bridge_buses(0, 9, 9);
    bus.add({9, 0, 0}, 0x1af4, 0x1001, 0x01, 0x00);
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv, 0, 7);
    EXPECT_EQ(inv->find({9, 0, 0}), nullptr);
    EXPECT_EQ(inv->buses_scanned(), 1u);
}

TEST(EnumerateHostile, ARefusedDeviceIsReportedAndTheOthersStillFound) {
    FakeBus bus;
    q35(bus);
    uint8_t at = bus.at({0, 2, 0}).add_capability(0x01, {0, 0});
    bus.at({0, 2, 0}).set_next(at, at);
    bus.add({0, 4, 0}, 0x1af4, 0x1000, 0x02, 0x00).raw_bar(0, 0xfe000000, 0xff0ff000);
    bus.add({0, 5, 0}, 0x1af4, 0x1000, 0x02, 0x00, 0, 0x7f);
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv);
    EXPECT_EQ(inv->size(), 7u);
    ASSERT_EQ(inv->refusal_count(), 3u);
    EXPECT_EQ(inv->refusals_begin()[0].error, pci_error(Fault::CapListLoops));
    EXPECT_EQ(inv->refusals_begin()[0].vendor_id, 0x8086);
    EXPECT_EQ(inv->refusals_begin()[1].error, pci_error(Fault::BarMaskNotContiguous));
    EXPECT_EQ(inv->refusals_begin()[2].error, pci_error(Fault::HeaderLayout));
    EXPECT_NE(inv->find({1, 0, 0}), nullptr);
}

TEST(Enumerate, CapacityOverflowIsCounted) {
    FakeBus bus;
    for (uint8_t d = 0; d < 32; ++d)
        for (uint8_t f = 0; f < 3; ++f) {
            FakeFunction& fn = bus.add({0, d, f}, 0x8086, 0x1000, 0x02, 0x00);
            if (f == 0)
                fn.multifunction();
        }
    auto inv = std::make_unique<Inventory>();
    lib::pci::enumerate(bus, *inv);
    EXPECT_EQ(inv->size(), Inventory::MAX_DEVICES);
    EXPECT_EQ(inv->dropped(), 96u - Inventory::MAX_DEVICES);
}

// Every function's configuration space random bytes, every bus populated: enumeration must
// end, within the work of scanning each bus once, whatever the bytes say.
TEST(EnumerateHostile, RandomConfigurationSpaceEndsInBoundedWork) {
    std::mt19937 rng(17);
    for (int round = 0; round < 20; ++round) {
        FakeBus bus;
        for (int b = 0; b < 256; b += 1 + int(rng() % 40))
            for (uint8_t d = 0; d < 32; d += 1 + uint8_t(rng() % 8)) {
                FakeFunction& f = bus.add({uint8_t(b), d, 0}, 0x1af4, uint16_t(rng()), 0, 0);
                for (size_t i = 4; i < 256; ++i)
                    f.bytes[i] = uint8_t(rng());
                for (auto& w : f.bar_writable)
                    w = rng();
            }
        auto inv = std::make_unique<Inventory>();
        lib::pci::enumerate(bus, *inv);
        EXPECT_LE(inv->buses_scanned(), 256u);
        // Per function: a header, 6 BARs sized (about 8 accesses each) and 48 capabilities at
        // most; per bus 256 functions. Far below, but not unboundedly far: no walk ran away.
        EXPECT_LT(bus.accesses(), uint64_t(inv->buses_scanned()) * 256 * 300);
        EXPECT_EQ(bus.unaligned_accesses(), 0u);
    }
}

TEST(ClassNames, SubclassClassAndUnknown) {
    EXPECT_STREQ(lib::pci::class_name(0x06, 0x00, 0), "host bridge");
    EXPECT_STREQ(lib::pci::class_name(0x01, 0x06, 0x01), "SATA controller");
    EXPECT_STREQ(lib::pci::class_name(0x0c, 0x03, 0x30), "USB xHCI controller");
    EXPECT_STREQ(lib::pci::class_name(0x0c, 0x03, 0x77), "USB controller");
    EXPECT_STREQ(lib::pci::class_name(0x02, 0x42, 0), "network controller");
    EXPECT_STREQ(lib::pci::class_name(0x00, 0xff, 0), "unclassified device");
    EXPECT_STREQ(lib::pci::class_name(0x42, 0x00, 0), "unknown class");
}
