// ACPI core over synthetic firmware tables: the valid XSDT and RSDT paths, a QEMU-like MADT,
// x2APIC systems, and one test per validation rule with the exact error it must produce.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "kernel/acpi/fadt.h"
#include "kernel/acpi/madt.h"
#include "kernel/acpi/physical_reader.h"
#include "kernel/acpi/rsdp.h"
#include "kernel/acpi/tables.h"
#include "table_builder.h"

using namespace acpi_test;
using kernel::acpi::AcpiError;
using kernel::acpi::Fault;
using kernel::acpi::IrqRoute;
using kernel::acpi::Madt;
using kernel::acpi::PhysicalReader;
using kernel::acpi::RootTable;
using lib::PhysAddr;
using mnos::Error;

namespace {

// Where the synthetic firmware puts things inside FakeMemory's default window.
constexpr uint64_t RSDP_AT = 0xe0000;
constexpr uint64_t XSDT_AT = 0xe1000;
constexpr uint64_t RSDT_AT = 0xe2000;
constexpr uint64_t MADT_AT = 0xe3000;
constexpr uint64_t HPET_AT = 0xe4000;
constexpr uint64_t SSDT1_AT = 0xe5000;
constexpr uint64_t SSDT2_AT = 0xe6000;
constexpr uint64_t OUTSIDE = 0x7fff0000; // never inside a FakeMemory window

constexpr AcpiError err(Error code, Fault fault) {
    return AcpiError{code, fault};
}

template <typename T> AcpiError error_of(const kernel::acpi::AcpiResult<T>& r) {
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? err(Error::InvalidArgument, Fault::RsdpNull) : r.error();
}

Bytes hpet_table() {
    return TableBuilder("HPET").add_u32(0x8086a201).build();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// PhysicalReader

TEST(PhysicalReader, MapsInsideTheWindow) {
    FakeMemory mem(0x1000);
    mem.place(RSDP_AT + 0x10, std::array<uint8_t, 2>{0xab, 0xcd});
    auto r = mem.reader().map(PhysAddr(RSDP_AT + 0x10), 2);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0], 0xab);
    EXPECT_EQ((*r)[1], 0xcd);
}

TEST(PhysicalReader, RefusesAnythingOutsideTheWindow) {
    FakeMemory mem(0x1000);
    PhysicalReader reader = mem.reader();
    EXPECT_EQ(reader.map(PhysAddr(mem.base() - 1), 1).error(), Error::BadAddress);
    EXPECT_EQ(reader.map(PhysAddr(mem.end() - 4), 5).error(), Error::BadAddress);
    EXPECT_EQ(reader.map(PhysAddr(mem.end()), 1).error(), Error::BadAddress);
    EXPECT_TRUE(reader.map(PhysAddr(mem.end() - 4), 4).has_value());
    EXPECT_TRUE(reader.map(PhysAddr(mem.end()), 0).has_value());
}

TEST(PhysicalReader, HugeAddressesAndLengthsDoNotWrap) {
    FakeMemory mem(0x1000);
    PhysicalReader reader = mem.reader();
    EXPECT_EQ(reader.map(PhysAddr(~0ull - 3), 8).error(), Error::BadAddress);
    EXPECT_EQ(reader.map(PhysAddr(mem.base() + 8), ~0ull - 4).error(), Error::BadAddress);
    EXPECT_EQ(reader.map(PhysAddr(mem.base()), ~0ull).error(), Error::BadAddress);
}

// ---------------------------------------------------------------------------------------------
// RSDP

TEST(Rsdp, Acpi1StructureGivesTheRsdt) {
    FakeMemory mem;
    mem.place(RSDP_AT, make_rsdp(0, RSDT_AT));
    auto r = kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true);
    ASSERT_TRUE(r.has_value()) << r.error().reason();
    EXPECT_EQ(r->revision, 0);
    EXPECT_EQ(r->rsdt, PhysAddr(RSDT_AT));
    EXPECT_FALSE(r->extended);
    EXPECT_TRUE(r->xsdt.is_null());
    EXPECT_EQ(std::string(r->oem_id, 6), "MNOSTS");
}

TEST(Rsdp, Acpi2StructureGivesTheXsdt) {
    FakeMemory mem;
    mem.place(RSDP_AT, make_rsdp(2, RSDT_AT, XSDT_AT));
    auto r = kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true);
    ASSERT_TRUE(r.has_value()) << r.error().reason();
    EXPECT_EQ(r->revision, 2);
    EXPECT_TRUE(r->extended);
    EXPECT_EQ(r->xsdt, PhysAddr(XSDT_AT));
    EXPECT_EQ(r->rsdt, PhysAddr(RSDT_AT));
}

TEST(Rsdp, NullAddressIsNotFound) {
    FakeMemory mem;
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(0), true)),
              err(Error::NotFound, Fault::RsdpNull));
}

TEST(Rsdp, OutsideReadableMemory) {
    FakeMemory mem;
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(OUTSIDE), true)),
              err(Error::BadAddress, Fault::RsdpUnreadable));
}

TEST(Rsdp, WrongSignature) {
    FakeMemory mem;
    Bytes rsdp = make_rsdp(0, RSDT_AT);
    rsdp[7] = '_'; // "RSD PTR_"
    fix_checksum(rsdp, RSDP_CHECKSUM, 20);
    mem.place(RSDP_AT, rsdp);
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true)),
              err(Error::Malformed, Fault::RsdpSignature));
}

TEST(Rsdp, WrongChecksum) {
    FakeMemory mem;
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    rsdp[RSDP_CHECKSUM] ^= 1;
    fix_checksum(rsdp, RSDP_EXTENDED_CHECKSUM, 36); // only the 1.0 checksum is wrong
    mem.place(RSDP_AT, rsdp);
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true)),
              err(Error::Malformed, Fault::RsdpChecksum));
}

TEST(Rsdp, WrongExtendedChecksum) {
    FakeMemory mem;
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    rsdp[RSDP_EXTENDED_CHECKSUM] ^= 0x40;
    mem.place(RSDP_AT, rsdp);
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true)),
              err(Error::Malformed, Fault::RsdpExtendedChecksum));
}

TEST(Rsdp, ExtendedChecksumCoversTheDeclaredLength) {
    // A 40-byte RSDP (length says so): a byte at offset 37 is inside the extended checksum.
    FakeMemory mem;
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    rsdp.resize(40, 0);
    put_u32(rsdp, RSDP_LENGTH, 40);
    fix_checksum(rsdp, RSDP_CHECKSUM, 20);
    fix_checksum(rsdp, RSDP_EXTENDED_CHECKSUM, 40);
    mem.place(RSDP_AT, rsdp);
    ASSERT_TRUE(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true).has_value());
    rsdp[37] = 0x55;
    mem.place(RSDP_AT, rsdp);
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true)),
              err(Error::Malformed, Fault::RsdpExtendedChecksum));
}

TEST(Rsdp, LengthBelowTheStructureSize) {
    FakeMemory mem;
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    put_u32(rsdp, RSDP_LENGTH, 20);
    fix_checksum(rsdp, RSDP_CHECKSUM, 20);
    fix_checksum(rsdp, RSDP_EXTENDED_CHECKSUM, 36);
    mem.place(RSDP_AT, rsdp);
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(RSDP_AT), true)),
              err(Error::Malformed, Fault::RsdpLength));
}

TEST(Rsdp, ExtendedPartRunningOutOfReadableMemory) {
    FakeMemory mem(0x1000);
    uint64_t at = mem.end() - 24; // the 20-byte part fits, the 36-byte one does not
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    mem.place(at, std::span(rsdp).first(24));
    EXPECT_EQ(error_of(kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(at), true)),
              err(Error::BadAddress, Fault::RsdpUnreadable));
}

TEST(Rsdp, Acpi1CopyFromTheLoaderIsNotReadPastTwentyBytes) {
    // The loader copied only the 20-byte structure (rsdp_is_xsdp false) of a revision 2 RSDP,
    // and the copy ends the readable window: the 2.0 fields must not be read at all.
    FakeMemory mem(0x1000);
    uint64_t at = mem.end() - 20;
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    mem.place(at, std::span(rsdp).first(20));
    auto r = kernel::acpi::parse_rsdp(mem.reader(), PhysAddr(at), false);
    ASSERT_TRUE(r.has_value()) << r.error().reason();
    EXPECT_EQ(r->revision, 2);
    EXPECT_FALSE(r->extended);
    EXPECT_TRUE(r->xsdt.is_null());
}

// ---------------------------------------------------------------------------------------------
// Table headers

TEST(Table, ValidTableSpansItsDeclaredLength) {
    FakeMemory mem;
    Bytes hpet = hpet_table();
    mem.place(HPET_AT, hpet);
    auto t = kernel::acpi::load_table(mem.reader(), PhysAddr(HPET_AT), "HPET");
    ASSERT_TRUE(t.has_value()) << t.error().reason();
    EXPECT_EQ(t->size(), 40u);
    auto header = kernel::acpi::decode_header(*t);
    EXPECT_EQ(std::string(header.signature, 4), "HPET");
    EXPECT_EQ(header.length, 40u);
    EXPECT_EQ(header.revision, 1);
    EXPECT_EQ(std::string(header.oem_id, 6), "MNOSTS");
    EXPECT_EQ(std::string(header.oem_table_id, 8), "SYNTHETC");
    EXPECT_EQ(header.oem_revision, 1u);
}

TEST(Table, WrongSignature) {
    FakeMemory mem;
    mem.place(HPET_AT, hpet_table());
    EXPECT_EQ(error_of(kernel::acpi::load_table(mem.reader(), PhysAddr(HPET_AT), "APIC")),
              err(Error::Malformed, Fault::TableSignature));
}

TEST(Table, HeaderOutsideReadableMemory) {
    FakeMemory mem;
    EXPECT_EQ(error_of(kernel::acpi::load_table(mem.reader(), PhysAddr(OUTSIDE), "HPET")),
              err(Error::BadAddress, Fault::TableUnreadable));
    // Header straddling the end of the window.
    EXPECT_EQ(error_of(kernel::acpi::load_table(mem.reader(), PhysAddr(mem.end() - 35), "HPET")),
              err(Error::BadAddress, Fault::TableUnreadable));
}

TEST(Table, LengthShorterThanTheHeader) {
    FakeMemory mem;
    Bytes hpet = hpet_table();
    put_u32(hpet, TableBuilder::LENGTH, 35);
    fix_checksum(hpet, TableBuilder::CHECKSUM, 35);
    mem.place(HPET_AT, hpet);
    EXPECT_EQ(error_of(kernel::acpi::load_table(mem.reader(), PhysAddr(HPET_AT), "HPET")),
              err(Error::Malformed, Fault::TableTooShort));
}

TEST(Table, LengthRunningPastReadableMemory) {
    FakeMemory mem;
    Bytes hpet = hpet_table();
    uint64_t at = mem.end() - hpet.size();
    put_u32(hpet, TableBuilder::LENGTH, static_cast<uint32_t>(hpet.size() + 1));
    mem.place(at, hpet);
    EXPECT_EQ(error_of(kernel::acpi::load_table(mem.reader(), PhysAddr(at), "HPET")),
              err(Error::BadAddress, Fault::TableBeyondReadable));
}

TEST(Table, WrongChecksum) {
    FakeMemory mem;
    Bytes hpet = hpet_table();
    hpet.back() ^= 0x80; // the last byte: the checksum must cover the whole length
    mem.place(HPET_AT, hpet);
    EXPECT_EQ(error_of(kernel::acpi::load_table(mem.reader(), PhysAddr(HPET_AT), "HPET")),
              err(Error::Malformed, Fault::TableChecksum));
}

// ---------------------------------------------------------------------------------------------
// Discovery: RSDP -> XSDT or RSDT

namespace {

// A machine with both root tables listing the same MADT and HPET.
struct Firmware {
    FakeMemory mem;
    Firmware(uint8_t revision = 2) {
        std::array<uint64_t, 2> x{MADT_AT, HPET_AT};
        std::array<uint32_t, 2> r{MADT_AT, HPET_AT};
        mem.place(RSDP_AT, make_rsdp(revision, RSDT_AT, XSDT_AT));
        mem.place(XSDT_AT, make_xsdt(x));
        mem.place(RSDT_AT, make_rsdt(r));
        mem.place(MADT_AT, make_qemu_madt());
        mem.place(HPET_AT, hpet_table());
    }
    kernel::acpi::AcpiResult<kernel::acpi::TableDirectory> discover(PhysicalReader& reader,
                                                                    bool is_xsdp = true) {
        return kernel::acpi::discover(reader, PhysAddr(RSDP_AT), is_xsdp);
    }
};

} // namespace

TEST(Discover, PrefersTheXsdt) {
    Firmware fw;
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_TRUE(dir->uses_xsdt());
    EXPECT_FALSE(dir->xsdt_rejection().has_value());
    ASSERT_EQ(dir->root().entry_count(), 2u);
    EXPECT_EQ(dir->root().entry(0), PhysAddr(MADT_AT));
    EXPECT_EQ(dir->root().entry(1), PhysAddr(HPET_AT));
    auto madt = dir->find("APIC");
    ASSERT_TRUE(madt.has_value()) << madt.error().reason();
    EXPECT_EQ(madt->data(), fw.mem.reader().map(PhysAddr(MADT_AT), 1)->data());
}

TEST(Discover, UsesTheRsdtOnAcpi1) {
    Firmware fw(0);
    // Make the XSDT unusable: were it consulted, discovery would report a rejection.
    fw.mem.place(XSDT_AT, Bytes(36, 0));
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_FALSE(dir->uses_xsdt());
    EXPECT_FALSE(dir->xsdt_rejection().has_value());
    EXPECT_EQ(dir->root().entry_count(), 2u);
    EXPECT_TRUE(dir->find("HPET").has_value());
}

TEST(Discover, UsesTheRsdtWhenTheLoaderGaveTheAcpi1Copy) {
    Firmware fw(2);
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader, false);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_FALSE(dir->uses_xsdt());
    EXPECT_FALSE(dir->xsdt_rejection().has_value());
}

TEST(Discover, BadXsdtFallsBackToAGoodRsdt) {
    Firmware fw;
    Bytes xsdt = make_xsdt(std::array<uint64_t, 2>{MADT_AT, HPET_AT});
    xsdt[40] ^= 1;
    fw.mem.place(XSDT_AT, xsdt);
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_FALSE(dir->uses_xsdt());
    ASSERT_TRUE(dir->xsdt_rejection().has_value());
    EXPECT_EQ(*dir->xsdt_rejection(), err(Error::Malformed, Fault::TableChecksum));
    EXPECT_TRUE(dir->find("APIC").has_value());
}

TEST(Discover, NullXsdtAddressFallsBackToTheRsdt) {
    Firmware fw;
    fw.mem.place(RSDP_AT, make_rsdp(2, RSDT_AT, 0));
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_FALSE(dir->uses_xsdt());
    EXPECT_EQ(*dir->xsdt_rejection(), err(Error::NotFound, Fault::XsdtNull));
}

TEST(Discover, UnreadableXsdtFallsBackToTheRsdt) {
    Firmware fw;
    fw.mem.place(RSDP_AT, make_rsdp(2, RSDT_AT, OUTSIDE));
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_FALSE(dir->uses_xsdt());
    EXPECT_EQ(*dir->xsdt_rejection(), err(Error::BadAddress, Fault::TableUnreadable));
}

TEST(Discover, XsdtWithWrongSignatureFallsBackToTheRsdt) {
    Firmware fw;
    fw.mem.place(RSDP_AT, make_rsdp(2, RSDT_AT, RSDT_AT)); // "XSDT" address points at the RSDT
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_FALSE(dir->uses_xsdt());
    EXPECT_EQ(*dir->xsdt_rejection(), err(Error::Malformed, Fault::TableSignature));
}

TEST(Discover, XsdtEntryRemainderFallsBackToTheRsdt) {
    Firmware fw;
    // 36 + 12 bytes: one whole 8-byte entry and 4 bytes of a second.
    Bytes xsdt = TableBuilder("XSDT").add_u64(MADT_AT).add_u32(HPET_AT).build();
    fw.mem.place(XSDT_AT, xsdt);
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_FALSE(dir->uses_xsdt());
    EXPECT_EQ(*dir->xsdt_rejection(), err(Error::Malformed, Fault::RootTableRemainder));
}

TEST(Discover, RsdtEntryRemainderIsRefused) {
    Firmware fw(0);
    fw.mem.place(RSDT_AT, TableBuilder("RSDT").add_u32(MADT_AT).add_u16(0).build());
    PhysicalReader reader = fw.mem.reader();
    EXPECT_EQ(error_of(fw.discover(reader)), err(Error::Malformed, Fault::RootTableRemainder));
}

TEST(Discover, BothRootTablesBadReportsTheRsdtError) {
    Firmware fw;
    Bytes xsdt = make_xsdt(std::array<uint64_t, 1>{MADT_AT});
    xsdt[TableBuilder::CHECKSUM] ^= 1;
    fw.mem.place(XSDT_AT, xsdt);
    Bytes rsdt = make_rsdt(std::array<uint32_t, 1>{MADT_AT});
    put_u32(rsdt, TableBuilder::LENGTH, 20);
    fw.mem.place(RSDT_AT, rsdt);
    PhysicalReader reader = fw.mem.reader();
    EXPECT_EQ(error_of(fw.discover(reader)), err(Error::Malformed, Fault::TableTooShort));
}

TEST(Discover, NullRsdtWithoutXsdt) {
    Firmware fw;
    fw.mem.place(RSDP_AT, make_rsdp(0, 0));
    PhysicalReader reader = fw.mem.reader();
    EXPECT_EQ(error_of(fw.discover(reader)), err(Error::NotFound, Fault::RsdtNull));
}

TEST(Discover, InvalidRsdpIsRefused) {
    Firmware fw;
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    rsdp[RSDP_EXTENDED_CHECKSUM] ^= 1;
    fw.mem.place(RSDP_AT, rsdp);
    PhysicalReader reader = fw.mem.reader();
    EXPECT_EQ(error_of(fw.discover(reader)), err(Error::Malformed, Fault::RsdpExtendedChecksum));
}

TEST(Discover, XsdtEntriesAreFull64BitAddresses) {
    // Firmware memory above 4 GiB: only the XSDT can reach it (the RSDT address is zero).
    constexpr uint64_t base = 0x1'2345'0000;
    FakeMemory mem(0x8000, base);
    std::array<uint64_t, 1> x{base + 0x2000};
    mem.place(base, make_rsdp(2, 0, base + 0x1000));
    mem.place(base + 0x1000, make_xsdt(x));
    mem.place(base + 0x2000, hpet_table());
    PhysicalReader reader = mem.reader();
    auto dir = kernel::acpi::discover(reader, PhysAddr(base), true);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_TRUE(dir->uses_xsdt());
    EXPECT_EQ(dir->root().entry(0), PhysAddr(base + 0x2000));
    EXPECT_TRUE(dir->find("HPET").has_value());
}

TEST(Discover, EmptyRootTableHasNoEntries) {
    Firmware fw;
    fw.mem.place(XSDT_AT, make_xsdt({}));
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_TRUE(dir->uses_xsdt());
    EXPECT_EQ(dir->root().entry_count(), 0u);
    EXPECT_EQ(error_of(dir->find("APIC")), err(Error::NotFound, Fault::TableNotFound));
}

// ---------------------------------------------------------------------------------------------
// Finding tables

TEST(Find, MissingTableIsNotFound) {
    Firmware fw;
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value());
    EXPECT_EQ(error_of(dir->find("MCFG")), err(Error::NotFound, Fault::TableNotFound));
}

TEST(Find, EntryOutsideReadableMemory) {
    Firmware fw;
    fw.mem.place(XSDT_AT, make_xsdt(std::array<uint64_t, 2>{OUTSIDE, MADT_AT}));
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_TRUE(dir->uses_xsdt());
    // The tables that can be read are still found...
    EXPECT_TRUE(dir->find("APIC").has_value());
    // ...and a table that is not among them may be the unreadable one, which the error says.
    EXPECT_EQ(error_of(dir->find("HPET")), err(Error::BadAddress, Fault::TableUnreadable));
}

TEST(Find, NullEntriesAreSkipped) {
    // Physical address 0 is inside this window and holds a valid-looking HPET table: a parser
    // that followed the null entry would find it.
    FakeMemory low(0x10000, 0);
    std::array<uint64_t, 2> x{0, 0x2000};
    low.place(0, hpet_table());
    low.place(0x1000, make_xsdt(x));
    low.place(0x2000, make_qemu_madt());
    low.place(0x3000, make_rsdp(2, 0, 0x1000));
    PhysicalReader reader = low.reader();
    auto dir = kernel::acpi::discover(reader, PhysAddr(0x3000), true);
    ASSERT_TRUE(dir.has_value()) << dir.error().reason();
    EXPECT_EQ(error_of(dir->find("HPET")), err(Error::NotFound, Fault::TableNotFound));
    EXPECT_TRUE(dir->find("APIC").has_value());
}

TEST(Find, NthInstanceOfASignature) {
    Firmware fw;
    fw.mem.place(SSDT1_AT, TableBuilder("SSDT").add_u8(1).build());
    fw.mem.place(SSDT2_AT, TableBuilder("SSDT").add_u8(2).add_u8(0).build());
    fw.mem.place(XSDT_AT, make_xsdt(std::array<uint64_t, 3>{SSDT1_AT, MADT_AT, SSDT2_AT}));
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value());
    auto first = dir->find("SSDT", 0);
    auto second = dir->find("SSDT", 1);
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(first->size(), 37u);
    EXPECT_EQ(second->size(), 38u);
    EXPECT_EQ(error_of(dir->find("SSDT", 2)), err(Error::NotFound, Fault::TableNotFound));
}

TEST(Find, TableWithTheSignatureButBadChecksumIsRefused) {
    Firmware fw;
    Bytes madt = make_qemu_madt();
    madt[50] ^= 4;
    fw.mem.place(MADT_AT, madt);
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value());
    EXPECT_EQ(error_of(dir->find("APIC")), err(Error::Malformed, Fault::TableChecksum));
}

TEST(Find, TableTruncatedByTheEndOfReadableMemory) {
    Firmware fw;
    Bytes hpet = hpet_table();
    uint64_t at = fw.mem.end() - 38; // header readable, 2 of its 40 bytes are not
    fw.mem.place(at, std::span(hpet).first(38));
    fw.mem.place(XSDT_AT, make_xsdt(std::array<uint64_t, 1>{at}));
    PhysicalReader reader = fw.mem.reader();
    auto dir = fw.discover(reader);
    ASSERT_TRUE(dir.has_value());
    EXPECT_EQ(error_of(dir->find("HPET")), err(Error::BadAddress, Fault::TableBeyondReadable));
}

// ---------------------------------------------------------------------------------------------
// MADT

namespace {

// Parses `table` into a heap Madt (several KiB; kept off the test's stack like in the kernel).
struct Parsed {
    std::unique_ptr<Madt> madt = std::make_unique<Madt>();
    kernel::acpi::AcpiResult<> result;
    explicit Parsed(const Bytes& table) : result(kernel::acpi::parse_madt(table, *madt)) {}
};

void expect_legacy(const Madt& madt, uint32_t bsp_apic_id) {
    EXPECT_FALSE(madt.from_firmware());
    ASSERT_EQ(madt.processors().size(), 1u);
    EXPECT_EQ(madt.processors()[0].apic_id, bsp_apic_id);
    EXPECT_TRUE(madt.processors()[0].enabled);
    EXPECT_EQ(madt.local_apic_address(), PhysAddr(0xfee00000));
    EXPECT_TRUE(madt.has_legacy_pics());
    EXPECT_TRUE(madt.io_apics().empty());
    EXPECT_TRUE(madt.overrides().empty());
    EXPECT_EQ(madt.isa_irq_route(0).value(), (IrqRoute{0, false, false}));
}

constexpr IrqRoute route(uint32_t gsi, bool active_low, bool level) {
    return IrqRoute{gsi, active_low, level};
}

} // namespace

TEST(Madt, QemuLikeTable) {
    Parsed p(make_qemu_madt());
    ASSERT_TRUE(p.result.has_value()) << p.result.error().reason();
    const Madt& m = *p.madt;
    EXPECT_TRUE(m.from_firmware());
    EXPECT_EQ(m.local_apic_address(), PhysAddr(0xfee00000));
    EXPECT_TRUE(m.has_legacy_pics());

    // CPUs 2 and 3 are neither enabled nor online-capable: they must not be started.
    ASSERT_EQ(m.processors().size(), 2u);
    EXPECT_EQ(m.processors()[0].apic_id, 0u);
    EXPECT_EQ(m.processors()[1].apic_id, 1u);
    EXPECT_EQ(m.processors()[1].acpi_uid, 1u);
    EXPECT_TRUE(m.processors()[1].enabled);
    EXPECT_FALSE(m.processors()[1].from_x2apic_entry);
    EXPECT_EQ(m.unusable_processors(), 2u);

    ASSERT_EQ(m.io_apics().size(), 1u);
    EXPECT_EQ(m.io_apics()[0].id, 0);
    EXPECT_EQ(m.io_apics()[0].address, PhysAddr(0xfec00000));
    EXPECT_EQ(m.io_apics()[0].gsi_base, 0u);

    ASSERT_EQ(m.overrides().size(), 5u);
    EXPECT_EQ(m.overrides()[0].source, 0);
    EXPECT_EQ(m.overrides()[0].gsi, 2u);
    EXPECT_EQ(m.overrides()[2].flags,
              (kernel::acpi::InterruptFlags{kernel::acpi::Polarity::ActiveHigh,
                                            kernel::acpi::TriggerMode::Level}));

    ASSERT_EQ(m.local_apic_nmis().size(), 1u);
    EXPECT_EQ(m.local_apic_nmis()[0].acpi_uid, kernel::acpi::LocalApicNmi::ALL_PROCESSORS);
    EXPECT_EQ(m.local_apic_nmis()[0].lint, 1);
    EXPECT_TRUE(m.nmi_sources().empty());
    EXPECT_EQ(m.dropped_entries(), 0u);
    EXPECT_EQ(m.skipped_unknown_entries(), 0u);
}

TEST(Madt, IsaIrqRoutingFollowsOverrides) {
    Parsed p(make_qemu_madt());
    ASSERT_TRUE(p.result.has_value());
    const Madt& m = *p.madt;
    EXPECT_EQ(m.isa_irq_route(0).value(), route(2, false, false)); // PIT -> GSI 2
    EXPECT_EQ(m.isa_irq_route(1).value(), route(1, false, false)); // identity, ISA defaults
    EXPECT_EQ(m.isa_irq_route(4).value(), route(4, false, false));
    EXPECT_EQ(m.isa_irq_route(9).value(), route(9, false, true)); // SCI: level, active-high
    EXPECT_EQ(m.isa_irq_route(11).value(), route(11, false, true));
    EXPECT_EQ(m.isa_irq_route(15).value(), route(15, false, false));
    EXPECT_EQ(m.isa_irq_route(16).error(), Error::InvalidArgument);
}

TEST(Madt, OverrideFlagsDecoding) {
    Bytes table = MadtBuilder()
                      .local_apic(0, 0, 1)
                      .override_irq(0, 3, 20, 0xf) // active-low, level
                      .override_irq(0, 4, 21, 0x7) // active-low, edge
                      .override_irq(0, 6, 22, 0xa) // both reserved: ISA defaults
                      .override_irq(1, 7, 23, 0xf) // bus 1 is not ISA: ignored for IRQ 7
                      .build();
    Parsed p(table);
    ASSERT_TRUE(p.result.has_value()) << p.result.error().reason();
    const Madt& m = *p.madt;
    EXPECT_EQ(m.isa_irq_route(3).value(), route(20, true, true));
    EXPECT_EQ(m.isa_irq_route(4).value(), route(21, true, false));
    EXPECT_EQ(m.isa_irq_route(6).value(), route(22, false, false));
    EXPECT_EQ(m.isa_irq_route(7).value(), route(7, false, false));
    EXPECT_EQ(m.overrides()[2].flags.polarity, kernel::acpi::Polarity::Reserved);
    EXPECT_EQ(m.overrides()[2].flags.trigger, kernel::acpi::TriggerMode::Reserved);
    EXPECT_EQ(m.overrides()[3].bus, 1);
    EXPECT_TRUE(m.has_legacy_pics());
}

TEST(Madt, PcatCompatFlagClear) {
    Parsed p(MadtBuilder(0xfee00000, 0).local_apic(0, 0, 1).build());
    ASSERT_TRUE(p.result.has_value());
    EXPECT_FALSE(p.madt->has_legacy_pics());
}

TEST(Madt, IoApicForGsi) {
    Bytes table = MadtBuilder()
                      .local_apic(0, 0, 1)
                      .io_apic(2, 0xfec01000, 24)
                      .io_apic(1, 0xfec00000, 0)
                      .build();
    Parsed p(table);
    ASSERT_TRUE(p.result.has_value());
    Madt& m = *p.madt;
    ASSERT_NE(m.io_apic_for_gsi(0), nullptr);
    EXPECT_EQ(m.io_apic_for_gsi(0)->id, 1);
    EXPECT_EQ(m.io_apic_for_gsi(23)->id, 1);
    EXPECT_EQ(m.io_apic_for_gsi(24)->id, 2);
    EXPECT_EQ(m.io_apic_for_gsi(100)->id, 2); // input count unknown: the highest base wins
    ASSERT_TRUE(m.set_io_apic_input_count(0, 24));
    EXPECT_EQ(m.io_apic_for_gsi(47)->id, 2);
    EXPECT_EQ(m.io_apic_for_gsi(48), nullptr);
    EXPECT_FALSE(m.set_io_apic_input_count(2, 24));
}

TEST(Madt, NoIoApicCoversGsiBelowTheLowestBase) {
    Parsed p(MadtBuilder().local_apic(0, 0, 1).io_apic(0, 0xfec00000, 16).build());
    ASSERT_TRUE(p.result.has_value());
    EXPECT_EQ(p.madt->io_apic_for_gsi(15), nullptr);
    EXPECT_NE(p.madt->io_apic_for_gsi(16), nullptr);
}

TEST(Madt, X2apicProcessorsAndNmi) {
    Bytes table = MadtBuilder()
                      .local_apic(0, 0, 1)
                      .local_x2apic(0x12c, 1, 0x1000)       // ID 300: only x2APIC can name it
                      .local_x2apic(0x12d, 2, 0x1001)       // online-capable, not enabled
                      .local_x2apic(0, 1, 0)                // CPU 0 again: must not be doubled
                      .local_x2apic(0x12e, 0, 0x1002)       // unusable
                      .local_x2apic_nmi(0x5, 0xffffffff, 1) // active-high edge, all CPUs
                      .local_x2apic_nmi(0, 0x1000, 0)
                      .build();
    Parsed p(table);
    ASSERT_TRUE(p.result.has_value()) << p.result.error().reason();
    const Madt& m = *p.madt;
    ASSERT_EQ(m.processors().size(), 3u);
    EXPECT_EQ(m.processors()[1].apic_id, 300u);
    EXPECT_EQ(m.processors()[1].acpi_uid, 0x1000u);
    EXPECT_TRUE(m.processors()[1].enabled);
    EXPECT_TRUE(m.processors()[1].from_x2apic_entry);
    EXPECT_EQ(m.processors()[2].apic_id, 301u);
    EXPECT_FALSE(m.processors()[2].enabled);
    EXPECT_EQ(m.dropped_entries(), 1u);
    EXPECT_EQ(m.unusable_processors(), 1u);
    ASSERT_EQ(m.local_apic_nmis().size(), 2u);
    EXPECT_EQ(m.local_apic_nmis()[0].acpi_uid, kernel::acpi::LocalApicNmi::ALL_PROCESSORS);
    EXPECT_EQ(m.local_apic_nmis()[0].lint, 1);
    EXPECT_EQ(m.local_apic_nmis()[0].flags,
              (kernel::acpi::InterruptFlags{kernel::acpi::Polarity::ActiveHigh,
                                            kernel::acpi::TriggerMode::Edge}));
    EXPECT_EQ(m.local_apic_nmis()[1].acpi_uid, 0x1000u);
    EXPECT_EQ(m.local_apic_nmis()[1].lint, 0);
}

TEST(Madt, OnlineCapableLocalApicIsKeptButNotEnabled) {
    Parsed p(MadtBuilder().local_apic(0, 0, 1).local_apic(1, 5, 2).build());
    ASSERT_TRUE(p.result.has_value());
    ASSERT_EQ(p.madt->processors().size(), 2u);
    EXPECT_EQ(p.madt->processors()[1].apic_id, 5u);
    EXPECT_FALSE(p.madt->processors()[1].enabled);
}

TEST(Madt, LocalApicAddressOverride) {
    Parsed p(MadtBuilder(0xfee00000)
                 .local_apic(0, 0, 1)
                 .local_apic_address_override(0x1'0000'f000)
                 .build());
    ASSERT_TRUE(p.result.has_value());
    EXPECT_EQ(p.madt->local_apic_address(), PhysAddr(0x1'0000'f000));
}

TEST(Madt, NmiSourceAndLocalApicNmiForOneProcessor) {
    Parsed p(
        MadtBuilder().local_apic(0, 0, 1).nmi_source(0xd, 7).local_apic_nmi(3, 0xf, 0).build());
    ASSERT_TRUE(p.result.has_value());
    const Madt& m = *p.madt;
    ASSERT_EQ(m.nmi_sources().size(), 1u);
    EXPECT_EQ(m.nmi_sources()[0].gsi, 7u);
    EXPECT_EQ(m.nmi_sources()[0].flags.trigger, kernel::acpi::TriggerMode::Level);
    ASSERT_EQ(m.local_apic_nmis().size(), 1u);
    EXPECT_EQ(m.local_apic_nmis()[0].acpi_uid, 3u);
    EXPECT_EQ(m.local_apic_nmis()[0].flags.polarity, kernel::acpi::Polarity::ActiveLow);
}

TEST(Madt, UnknownEntryTypesAreSkippedByLength) {
    std::array<uint8_t, 5> body{0xde, 0xad, 0xbe, 0xef, 0x00};
    Parsed p(MadtBuilder()
                 .raw_entry(0x7f, 7, body) // not a type this parser knows
                 .raw_entry(0x0b, 7, body) // GIC CPU interface: far too short, but unknown here
                 .local_apic(0, 4, 1)
                 .build());
    ASSERT_TRUE(p.result.has_value()) << p.result.error().reason();
    EXPECT_EQ(p.madt->skipped_unknown_entries(), 2u);
    ASSERT_EQ(p.madt->processors().size(), 1u);
    EXPECT_EQ(p.madt->processors()[0].apic_id, 4u);
}

TEST(Madt, LongerEntriesThanTheLayoutAreAccepted) {
    // A later revision may append fields: a 10-byte processor entry still parses.
    std::array<uint8_t, 8> body{1, 9, 1, 0, 0, 0, 0xff, 0xff};
    Parsed p(MadtBuilder().raw_entry(0, 10, body).build());
    ASSERT_TRUE(p.result.has_value()) << p.result.error().reason();
    EXPECT_EQ(p.madt->processors()[0].apic_id, 9u);
}

TEST(Madt, CapacityIsBoundedAndDropsAreCounted) {
    MadtBuilder b;
    for (uint32_t i = 0; i < Madt::MAX_PROCESSORS + 10; ++i)
        b.local_x2apic(i, 1, i);
    for (uint32_t i = 0; i < Madt::MAX_IO_APICS + 1; ++i)
        b.io_apic(static_cast<uint8_t>(i), 0xfec00000 + i * 0x1000, i * 24);
    for (uint32_t i = 0; i < Madt::MAX_OVERRIDES + 2; ++i)
        b.override_irq(0, static_cast<uint8_t>(i), i, 0);
    Parsed p(b.build());
    ASSERT_TRUE(p.result.has_value()) << p.result.error().reason();
    EXPECT_EQ(p.madt->processors().size(), Madt::MAX_PROCESSORS);
    EXPECT_EQ(p.madt->io_apics().size(), Madt::MAX_IO_APICS);
    EXPECT_EQ(p.madt->overrides().size(), Madt::MAX_OVERRIDES);
    EXPECT_EQ(p.madt->dropped_entries(), 10u + 1u + 2u);
}

// Malformed MADTs: each is refused with its own fault and leaves the legacy topology behind.

TEST(MadtMalformed, ZeroLengthEntryDoesNotLoop) {
    std::array<uint8_t, 6> body{};
    Parsed p(MadtBuilder().local_apic(0, 0, 1).raw_entry(0x7f, 0, body).build());
    EXPECT_EQ(error_of(p.result), err(Error::Malformed, Fault::MadtEntryTooShort));
    expect_legacy(*p.madt, 0);
}

TEST(MadtMalformed, OneByteEntry) {
    // Were a 1-byte entry stepped over, the next "entry" would start at its length byte and
    // read as a well-formed 12-byte I/O APIC entry (type 1, length 12): it must not get that far.
    std::array<uint8_t, 11> body{12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    Parsed p(MadtBuilder().local_apic(0, 0, 1).raw_entry(0x7f, 1, body).build());
    EXPECT_EQ(error_of(p.result), err(Error::Malformed, Fault::MadtEntryTooShort));
}

TEST(MadtMalformed, EntryOverrunningTheTable) {
    std::array<uint8_t, 6> body{0, 1, 1, 0, 0, 0};
    // Claims 8 bytes, 6 (+2 header) present, then claims 9: one byte past the end.
    Parsed p(MadtBuilder().raw_entry(0, 8, body).raw_entry(0, 9, body).build());
    EXPECT_EQ(error_of(p.result), err(Error::Malformed, Fault::MadtEntryOverrun));
    expect_legacy(*p.madt, 0);
}

TEST(MadtMalformed, TrailingByteAfterTheLastEntry) {
    std::array<uint8_t, 1> stray{0};
    Parsed p(MadtBuilder().local_apic(0, 0, 1).raw_bytes(stray).build());
    EXPECT_EQ(error_of(p.result), err(Error::Malformed, Fault::MadtEntryOverrun));
}

TEST(MadtMalformed, EveryKnownTypeNeedsItsMinimumLength) {
    struct Case {
        uint8_t type;
        uint8_t minimum;
    };
    constexpr std::array<Case, 8> cases{
        {{0, 8}, {1, 12}, {2, 10}, {3, 8}, {4, 6}, {5, 12}, {9, 16}, {0xa, 12}}};
    std::array<uint8_t, 32> body{};
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "type " << int(c.type));
        Bytes too_short =
            MadtBuilder()
                .local_apic(0, 0, 1)
                .raw_entry(c.type, c.minimum - 1, std::span(body).first(c.minimum - 3))
                .build();
        EXPECT_EQ(error_of(Parsed(too_short).result),
                  err(Error::Malformed, Fault::MadtEntryTooSmallForType));
        Bytes exact = MadtBuilder()
                          .local_apic(0, 0, 1)
                          .raw_entry(c.type, c.minimum, std::span(body).first(c.minimum - 2))
                          .build();
        auto parsed = Parsed(exact);
        EXPECT_TRUE(parsed.result.has_value()) << parsed.result.error().reason();
    }
}

TEST(MadtMalformed, ShorterThanTheFixedPart) {
    Bytes table = TableBuilder("APIC").add_u32(0xfee00000).build(); // no flags field
    Parsed p(table);
    EXPECT_EQ(error_of(p.result), err(Error::Malformed, Fault::MadtTooShort));
}

TEST(MadtMalformed, ShorterThanTheHeader) {
    Bytes table = make_qemu_madt();
    put_u32(table, TableBuilder::LENGTH, 30);
    fix_checksum(table, TableBuilder::CHECKSUM, 30);
    EXPECT_EQ(error_of(Parsed(table).result), err(Error::Malformed, Fault::TableTooShort));
    Bytes stub(20, 0);
    EXPECT_EQ(error_of(Parsed(stub).result), err(Error::Malformed, Fault::TableTooShort));
}

TEST(MadtMalformed, DeclaredLengthBeyondTheGivenBytes) {
    Bytes table = make_qemu_madt();
    table.pop_back();
    EXPECT_EQ(error_of(Parsed(table).result), err(Error::BadAddress, Fault::TableBeyondReadable));
}

TEST(MadtMalformed, WrongChecksum) {
    Bytes table = make_qemu_madt();
    table[TableBuilder::CHECKSUM] += 1;
    EXPECT_EQ(error_of(Parsed(table).result), err(Error::Malformed, Fault::TableChecksum));
}

TEST(MadtMalformed, WrongSignature) {
    Bytes table = make_qemu_madt();
    table[0] = 'B';
    fix_checksum(table, TableBuilder::CHECKSUM, table.size());
    EXPECT_EQ(error_of(Parsed(table).result), err(Error::Malformed, Fault::TableSignature));
}

TEST(MadtMalformed, NoUsableProcessor) {
    Parsed p(MadtBuilder().local_apic(0, 0, 0).io_apic(0, 0xfec00000, 0).build());
    EXPECT_EQ(error_of(p.result), err(Error::Malformed, Fault::MadtNoProcessors));
    expect_legacy(*p.madt, 0);
}

// ---------------------------------------------------------------------------------------------
// The kernel's one-call path and its fallback

TEST(LoadMadt, FromFirmware) {
    Firmware fw;
    auto madt = std::make_unique<Madt>();
    auto r = kernel::acpi::load_madt(fw.mem.reader(), PhysAddr(RSDP_AT), true, 0, *madt);
    ASSERT_TRUE(r.has_value()) << r.error().reason();
    EXPECT_TRUE(r->via_xsdt);
    EXPECT_FALSE(r->xsdt_rejection.has_value());
    EXPECT_TRUE(madt->from_firmware());
    EXPECT_EQ(madt->processors().size(), 2u);
    EXPECT_EQ(madt->isa_irq_route(0).value(), route(2, false, false));
}

TEST(LoadMadt, ReportsWhyTheXsdtWasPassedOver) {
    Firmware fw;
    Bytes xsdt = make_xsdt(std::array<uint64_t, 1>{MADT_AT});
    put_u32(xsdt, TableBuilder::LENGTH, 0x7fffffff);
    fw.mem.place(XSDT_AT, xsdt);
    auto madt = std::make_unique<Madt>();
    auto r = kernel::acpi::load_madt(fw.mem.reader(), PhysAddr(RSDP_AT), true, 0, *madt);
    ASSERT_TRUE(r.has_value()) << r.error().reason();
    EXPECT_FALSE(r->via_xsdt);
    ASSERT_TRUE(r->xsdt_rejection.has_value());
    EXPECT_EQ(*r->xsdt_rejection, err(Error::BadAddress, Fault::TableBeyondReadable));
    EXPECT_TRUE(madt->from_firmware());
}

TEST(LoadMadt, InvalidRsdpLeavesTheLegacyTopology) {
    Firmware fw;
    Bytes rsdp = make_rsdp(2, RSDT_AT, XSDT_AT);
    rsdp[RSDP_CHECKSUM] ^= 1;
    fw.mem.place(RSDP_AT, rsdp);
    auto madt = std::make_unique<Madt>();
    auto r = kernel::acpi::load_madt(fw.mem.reader(), PhysAddr(RSDP_AT), true, 7, *madt);
    EXPECT_EQ(error_of(r), err(Error::Malformed, Fault::RsdpChecksum));
    expect_legacy(*madt, 7);
}

TEST(LoadMadt, MissingMadtLeavesTheLegacyTopology) {
    Firmware fw;
    fw.mem.place(XSDT_AT, make_xsdt(std::array<uint64_t, 1>{HPET_AT}));
    auto madt = std::make_unique<Madt>();
    auto r = kernel::acpi::load_madt(fw.mem.reader(), PhysAddr(RSDP_AT), true, 3, *madt);
    EXPECT_EQ(error_of(r), err(Error::NotFound, Fault::TableNotFound));
    expect_legacy(*madt, 3);
}

TEST(LoadMadt, MalformedMadtReplacesAnEarlierGoodOne) {
    Firmware fw;
    auto madt = std::make_unique<Madt>();
    ASSERT_TRUE(kernel::acpi::load_madt(fw.mem.reader(), PhysAddr(RSDP_AT), true, 0, *madt));
    std::array<uint8_t, 6> body{};
    fw.mem.place(MADT_AT, MadtBuilder().local_apic(0, 0, 1).raw_entry(1, 0, body).build());
    auto r = kernel::acpi::load_madt(fw.mem.reader(), PhysAddr(RSDP_AT), true, 2, *madt);
    EXPECT_EQ(error_of(r), err(Error::Malformed, Fault::MadtEntryTooShort));
    expect_legacy(*madt, 2);
}

// The kernel keeps its Madt in static storage, parsed before any heap exists; constinit proves
// that needs no global constructor (a static the kernel would otherwise have to run).
constinit Madt g_static_madt;

TEST(StaticMadt, IsConstantInitializedToTheDefaults) {
    EXPECT_FALSE(g_static_madt.from_firmware());
    EXPECT_EQ(g_static_madt.local_apic_address(), PhysAddr(0xfee00000));
    EXPECT_TRUE(g_static_madt.processors().empty());
    ASSERT_TRUE(kernel::acpi::parse_madt(make_qemu_madt(), g_static_madt).has_value());
    EXPECT_EQ(g_static_madt.processors().size(), 2u);
}

TEST(LegacyFallback, IsOneCpuWithIdentityIsaRouting) {
    auto madt = std::make_unique<Madt>(Madt::legacy_fallback(9));
    expect_legacy(*madt, 9);
    for (uint8_t irq = 0; irq < Madt::ISA_IRQ_COUNT; ++irq)
        EXPECT_EQ(madt->isa_irq_route(irq).value(), route(irq, false, false));
    EXPECT_EQ(madt->io_apic_for_gsi(0), nullptr);
    EXPECT_TRUE(madt->nmi_sources().empty());
    EXPECT_TRUE(madt->local_apic_nmis().empty());
}

TEST(Diagnostics, EveryFaultHasItsOwnReason) {
    std::set<std::string> reasons;
    constexpr int last = static_cast<int>(Fault::FadtNoPowerControl);
    for (int f = 0; f <= last; ++f) {
        const char* reason = kernel::acpi::fault_reason(static_cast<Fault>(f));
        ASSERT_NE(reason, nullptr);
        EXPECT_STRNE(reason, "unknown ACPI fault") << "fault " << f;
        reasons.insert(reason);
    }
    EXPECT_EQ(reasons.size(), static_cast<size_t>(last + 1));
}

// Random corruption of every structure on the walk (RSDP, both root tables, MADT). Each run must
// end, and leave either a firmware topology with a processor or exactly the legacy one. Under
// the sanitizer build this also proves no byte outside the fake memory is read: the buffer
// is a heap allocation of exactly the window's size.
TEST(Robustness, RandomCorruptionIsRefusedOrParsedNeverMisread) {
    uint64_t state = 0x9e3779b97f4a7c15;
    auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(state >> 33);
    };
    constexpr std::array<uint64_t, 4> targets{RSDP_AT, XSDT_AT, RSDT_AT, MADT_AT};
    auto madt = std::make_unique<Madt>();
    int parsed = 0, refused = 0;
    for (int round = 0; round < 3000; ++round) {
        Firmware fw;
        PhysicalReader reader = fw.mem.reader();
        int flips = 1 + next() % 4;
        for (int i = 0; i < flips; ++i) {
            uint64_t at = targets[next() % targets.size()] + next() % 96;
            auto byte = *reader.map(PhysAddr(at), 1);
            std::array<uint8_t, 1> value{static_cast<uint8_t>(byte[0] ^ (1u << (next() % 8)))};
            fw.mem.place(at, value);
        }
        auto r = kernel::acpi::load_madt(reader, PhysAddr(RSDP_AT), true, 1, *madt);
        if (r.has_value()) {
            ++parsed;
            ASSERT_TRUE(madt->from_firmware());
            ASSERT_FALSE(madt->processors().empty());
        } else {
            ++refused;
            ASSERT_FALSE(madt->from_firmware());
            ASSERT_EQ(madt->processors().size(), 1u);
            ASSERT_EQ(madt->processors()[0].apic_id, 1u);
        }
    }
    // Both outcomes occur (a flipped byte in an unused field or the RSDT behind a good XSDT is
    // harmless); a run where either count is 0 means the corruption missed the structures.
    EXPECT_GT(parsed, 0);
    EXPECT_GT(refused, 0);
}

// The checksum stops almost all random corruption before the entry walk, so here the MADT's
// entries are scrambled and the checksum fixed afterwards: the entry validation alone must
// keep the walk inside the table (sanitizer build) and always terminate.
TEST(Robustness, ScrambledMadtEntriesBehindAValidChecksum) {
    uint64_t state = 12345;
    auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(state >> 33);
    };
    const Bytes original = make_qemu_madt();
    auto madt = std::make_unique<Madt>();
    int parsed = 0, refused = 0;
    for (int round = 0; round < 5000; ++round) {
        Bytes table = original;
        int flips = 1 + next() % 6;
        for (int i = 0; i < flips; ++i) {
            size_t at = 44 + next() % (table.size() - 44);
            table[at] =
                static_cast<uint8_t>(next() % 3 == 0 ? next() : table[at] ^ (1u << (next() % 8)));
        }
        fix_checksum(table, TableBuilder::CHECKSUM, table.size());
        auto r = kernel::acpi::parse_madt(std::span(table.data(), table.size()), *madt);
        if (r.has_value()) {
            ++parsed;
            ASSERT_FALSE(madt->processors().empty());
        } else {
            ++refused;
            ASSERT_EQ(r.error().code, Error::Malformed);
            ASSERT_FALSE(madt->from_firmware());
        }
    }
    EXPECT_GT(parsed, 0);
    EXPECT_GT(refused, 0);
}

// The FADT's PM1 control ports (kernel/acpi/fadt.h): found where ACPI puts them; a table too
// short for them, or naming none, refused with its reason.
namespace {
Bytes fadt_with(uint32_t pm1a, uint32_t pm1b, size_t total_length) {
    TableBuilder builder("FACP");
    for (size_t offset = 36; offset < 64; offset += 4)
        builder.add_u32(0);
    builder.add_u32(pm1a).add_u32(pm1b);
    for (size_t offset = 72; offset < total_length; ++offset)
        builder.add_u8(0);
    return builder.build();
}
} // namespace

TEST(Fadt, FindsThePm1ControlPorts) {
    auto power = kernel::acpi::parse_fadt(fadt_with(0x604, 0, 244));
    ASSERT_TRUE(power.has_value());
    EXPECT_EQ(power->pm1a_control, 0x604);
    EXPECT_EQ(power->pm1b_control, 0);
}

TEST(Fadt, RefusesATableTooShortOrWithoutAPort) {
    Bytes full = fadt_with(0x604, 0, 244);
    std::span<const uint8_t> cut(full.data(), 70);
    EXPECT_EQ(error_of(kernel::acpi::parse_fadt(cut)),
              err(Error::Malformed, Fault::FadtTooShort));
    EXPECT_EQ(error_of(kernel::acpi::parse_fadt(fadt_with(0, 0, 244))),
              err(Error::Malformed, Fault::FadtNoPowerControl));
    EXPECT_EQ(error_of(kernel::acpi::parse_fadt(fadt_with(0x10000, 0, 244))),
              err(Error::Malformed, Fault::FadtNoPowerControl));
}
