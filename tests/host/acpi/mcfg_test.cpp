// The MCFG parser over synthetic tables: QEMU q35's one window, several segments, the kernel's
// one-call path, and one test per validation rule with the exact error it must produce.
#include <gtest/gtest.h>

#include <array>

#include "kernel/acpi/mcfg.h"
#include "table_builder.h"

using namespace acpi_test;
using kernel::acpi::AcpiError;
using kernel::acpi::EcamWindow;
using kernel::acpi::Fault;
using kernel::acpi::Mcfg;
using lib::PhysAddr;
using mnos::Error;

namespace {

constexpr uint64_t RSDP_AT = 0xe0000;
constexpr uint64_t XSDT_AT = 0xe1000;
constexpr uint64_t RSDT_AT = 0xe2000;
constexpr uint64_t MCFG_AT = 0xe3000;

struct Allocation {
    uint64_t base;
    uint16_t segment;
    uint8_t start_bus, end_bus;
};

Bytes make_mcfg(std::initializer_list<Allocation> allocations) {
    TableBuilder t("MCFG");
    t.add_u64(0); // reserved
    for (const Allocation& a : allocations)
        t.add_u64(a.base).add_u16(a.segment).add_u8(a.start_bus).add_u8(a.end_bus).add_u32(0);
    return t.build();
}

// What QEMU's q35 machine gives: segment 0, buses 0-255 at 0xb0000000.
Bytes qemu_q35_mcfg() { return make_mcfg({{0xb0000000, 0, 0, 255}}); }

AcpiError error_of(const kernel::acpi::AcpiResult<>& r) {
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? AcpiError{Error::InvalidArgument, Fault::RsdpNull} : r.error();
}

AcpiError refused(Bytes table) {
    Mcfg mcfg;
    auto e = error_of(kernel::acpi::parse_mcfg(table, mcfg));
    EXPECT_TRUE(mcfg.windows().empty()) << "a refused MCFG leaves no window";
    return e;
}

} // namespace

TEST(Mcfg, QemuQ35Window) {
    Mcfg mcfg;
    ASSERT_TRUE(kernel::acpi::parse_mcfg(qemu_q35_mcfg(), mcfg).has_value());
    ASSERT_EQ(mcfg.windows().size(), 1u);
    const EcamWindow& w = mcfg.windows()[0];
    EXPECT_EQ(w.base, PhysAddr(0xb0000000));
    EXPECT_EQ(w.segment, 0);
    EXPECT_EQ(w.start_bus, 0);
    EXPECT_EQ(w.end_bus, 255);
    EXPECT_EQ(w.bus_address(3), PhysAddr(0xb0300000));
    EXPECT_EQ(mcfg.dropped_windows(), 0u);
}

TEST(Mcfg, WindowForPicksTheSegmentAndBus) {
    Mcfg mcfg;
    ASSERT_TRUE(kernel::acpi::parse_mcfg(make_mcfg({{0xe0000000, 0, 0, 63},
                                                    {0xe8000000, 0, 128, 191},
                                                    {0x4000000000, 1, 0, 15}}),
                                         mcfg));
    EXPECT_EQ(mcfg.window_for(0, 0)->base, PhysAddr(0xe0000000));
    EXPECT_EQ(mcfg.window_for(0, 130)->base, PhysAddr(0xe8000000));
    // The base is bus 0's even when the window starts at bus 128.
    EXPECT_EQ(mcfg.window_for(0, 130)->bus_address(130), PhysAddr(0xe8000000 + (130ull << 20)));
    EXPECT_EQ(mcfg.window_for(1, 15)->base, PhysAddr(0x4000000000));
    EXPECT_FALSE(mcfg.window_for(0, 100).has_value());
    EXPECT_FALSE(mcfg.window_for(1, 16).has_value());
    EXPECT_FALSE(mcfg.window_for(2, 0).has_value());
}

TEST(Mcfg, AllocationsBeyondTheCapacityAreDroppedAndCounted) {
    TableBuilder t("MCFG");
    t.add_u64(0);
    for (uint16_t s = 0; s < Mcfg::MAX_WINDOWS + 3; ++s)
        t.add_u64(0x100000000ull * (s + 1)).add_u16(s).add_u8(0).add_u8(0).add_u32(0);
    Mcfg mcfg;
    ASSERT_TRUE(kernel::acpi::parse_mcfg(t.build(), mcfg).has_value());
    EXPECT_EQ(mcfg.windows().size(), Mcfg::MAX_WINDOWS);
    EXPECT_EQ(mcfg.dropped_windows(), 3u);
}

TEST(McfgMalformed, HeaderChecksAgain) {
    Bytes t = qemu_q35_mcfg();
    t[TableBuilder::CHECKSUM] ^= 1;
    EXPECT_EQ(refused(t), (AcpiError{Error::Malformed, Fault::TableChecksum}));
    EXPECT_EQ(refused(TableBuilder("APIC").add_u64(0).build()),
              (AcpiError{Error::Malformed, Fault::TableSignature}));
    Bytes longer = qemu_q35_mcfg();
    put_u32(longer, TableBuilder::LENGTH, uint32_t(longer.size() + 16));
    EXPECT_EQ(refused(longer), (AcpiError{Error::BadAddress, Fault::TableBeyondReadable}));
}

TEST(McfgMalformed, ShorterThanTheFixedPart) {
    EXPECT_EQ(refused(TableBuilder("MCFG").add_u32(0).build()),
              (AcpiError{Error::Malformed, Fault::McfgTooShort}));
}

TEST(McfgMalformed, PartialEntry) {
    EXPECT_EQ(refused(TableBuilder("MCFG").add_u64(0).add_u64(0xb0000000).build()),
              (AcpiError{Error::Malformed, Fault::McfgRemainder}));
}

TEST(McfgMalformed, NoEntries) {
    EXPECT_EQ(refused(make_mcfg({})), (AcpiError{Error::Malformed, Fault::McfgNoEntries}));
}

TEST(McfgMalformed, EndBusBelowStartBus) {
    EXPECT_EQ(refused(make_mcfg({{0xb0000000, 0, 5, 4}})),
              (AcpiError{Error::Malformed, Fault::McfgBusRange}));
}

TEST(McfgMalformed, UnalignedBase) {
    EXPECT_EQ(refused(make_mcfg({{0xb0001000, 0, 0, 255}})),
              (AcpiError{Error::Malformed, Fault::McfgBaseUnaligned}));
}

TEST(McfgMalformed, WindowWrapsTheAddressSpace) {
    // 256 buses (256 MiB) from 2^64 - 128 MiB would wrap.
    EXPECT_EQ(refused(make_mcfg({{0xfffffffff8000000, 0, 0, 255}})),
              (AcpiError{Error::Overflow, Fault::McfgWindowOverflow}));
    // 128 buses from there end exactly at 2^64: the last possible window, and fine.
    Mcfg mcfg;
    EXPECT_TRUE(kernel::acpi::parse_mcfg(make_mcfg({{0xfffffffff8000000, 0, 0, 127}}), mcfg)
                    .has_value());
}

TEST(McfgMalformed, OverlappingBusesOfOneSegment) {
    EXPECT_EQ(refused(make_mcfg({{0xb0000000, 0, 0, 15}, {0xc0000000, 0, 15, 31}})),
              (AcpiError{Error::Malformed, Fault::McfgOverlap}));
    // The same bus numbers on another segment are another bus.
    Mcfg mcfg;
    EXPECT_TRUE(kernel::acpi::parse_mcfg(make_mcfg({{0xb0000000, 0, 0, 15}, {0xc0000000, 1, 0, 15}}),
                                         mcfg).has_value());
}

TEST(McfgMalformed, RefusalEmptiesAnEarlierGoodParse) {
    Mcfg mcfg;
    ASSERT_TRUE(kernel::acpi::parse_mcfg(qemu_q35_mcfg(), mcfg).has_value());
    EXPECT_FALSE(kernel::acpi::parse_mcfg(make_mcfg({{0xb0000000, 0, 9, 1}}), mcfg).has_value());
    EXPECT_TRUE(mcfg.windows().empty());
}

TEST(LoadMcfg, ThroughTheXsdt) {
    FakeMemory mem;
    mem.place(RSDP_AT, make_rsdp(2, RSDT_AT, XSDT_AT));
    mem.place(XSDT_AT, make_xsdt(std::array<uint64_t, 1>{MCFG_AT}));
    mem.place(RSDT_AT, make_rsdt(std::array<uint32_t, 1>{MCFG_AT}));
    mem.place(MCFG_AT, qemu_q35_mcfg());
    Mcfg mcfg;
    ASSERT_TRUE(kernel::acpi::load_mcfg(mem.reader(), PhysAddr(RSDP_AT), true, mcfg).has_value());
    EXPECT_EQ(mcfg.windows().size(), 1u);
}

TEST(LoadMcfg, AbsentIsNotFound) {
    FakeMemory mem;
    mem.place(RSDP_AT, make_rsdp(0, RSDT_AT));
    mem.place(RSDT_AT, make_rsdt(std::array<uint32_t, 0>{}));
    Mcfg mcfg;
    EXPECT_EQ(error_of(kernel::acpi::load_mcfg(mem.reader(), PhysAddr(RSDP_AT), false, mcfg)),
              (AcpiError{Error::NotFound, Fault::TableNotFound}));
    EXPECT_TRUE(mcfg.windows().empty());
}

TEST(LoadMcfg, MalformedIsRefusedWithItsReason) {
    FakeMemory mem;
    mem.place(RSDP_AT, make_rsdp(0, RSDT_AT));
    mem.place(RSDT_AT, make_rsdt(std::array<uint32_t, 1>{MCFG_AT}));
    mem.place(MCFG_AT, make_mcfg({{0xb0000800, 0, 0, 255}}));
    Mcfg mcfg;
    auto e = error_of(kernel::acpi::load_mcfg(mem.reader(), PhysAddr(RSDP_AT), false, mcfg));
    EXPECT_EQ(e, (AcpiError{Error::Malformed, Fault::McfgBaseUnaligned}));
    EXPECT_STREQ(e.reason(), "MCFG ECAM base is not 1 MiB aligned");
}
