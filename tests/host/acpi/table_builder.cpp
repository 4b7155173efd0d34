#include "table_builder.h"

#include <cstring>
#include <stdexcept>

namespace acpi_test {

void put_u16(Bytes& b, size_t offset, uint16_t v) {
    for (size_t i = 0; i < 2; ++i)
        b.at(offset + i) = static_cast<uint8_t>(v >> (8 * i));
}
void put_u32(Bytes& b, size_t offset, uint32_t v) {
    for (size_t i = 0; i < 4; ++i)
        b.at(offset + i) = static_cast<uint8_t>(v >> (8 * i));
}
void put_u64(Bytes& b, size_t offset, uint64_t v) {
    for (size_t i = 0; i < 8; ++i)
        b.at(offset + i) = static_cast<uint8_t>(v >> (8 * i));
}

void fix_checksum(Bytes& b, size_t checksum_offset, size_t length) {
    b.at(checksum_offset) = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < length; ++i)
        sum = static_cast<uint8_t>(sum + b.at(i));
    b[checksum_offset] = static_cast<uint8_t>(-sum);
}

void FakeMemory::place(uint64_t phys, std::span<const uint8_t> data) {
    if (phys < m_base || phys + data.size() > end())
        throw std::out_of_range("FakeMemory::place outside the fake memory");
    std::memcpy(m_bytes.data() + (phys - m_base), data.data(), data.size());
}

Bytes make_rsdp(uint8_t revision, uint32_t rsdt, uint64_t xsdt) {
    Bytes b(revision >= 2 ? 36 : 20, 0);
    std::memcpy(b.data(), "RSD PTR ", 8);
    std::memcpy(b.data() + 9, "MNOSTS", 6);
    b[15] = revision;
    put_u32(b, 16, rsdt);
    if (revision >= 2) {
        put_u32(b, RSDP_LENGTH, 36);
        put_u64(b, 24, xsdt);
    }
    fix_checksum(b, RSDP_CHECKSUM, 20);
    if (revision >= 2)
        fix_checksum(b, RSDP_EXTENDED_CHECKSUM, 36);
    return b;
}

TableBuilder::TableBuilder(std::string_view signature, uint8_t revision) : m_bytes(36, 0) {
    if (signature.size() != 4)
        throw std::invalid_argument("table signatures have 4 characters");
    std::memcpy(m_bytes.data(), signature.data(), 4);
    m_bytes[8] = revision;
    std::memcpy(m_bytes.data() + 10, "MNOSTS", 6);
    std::memcpy(m_bytes.data() + 16, "SYNTHETC", 8);
    put_u32(m_bytes, 24, 1);
}

TableBuilder& TableBuilder::add_u8(uint8_t v) {
    m_bytes.push_back(v);
    return *this;
}
TableBuilder& TableBuilder::add_u16(uint16_t v) {
    m_bytes.resize(m_bytes.size() + 2);
    put_u16(m_bytes, m_bytes.size() - 2, v);
    return *this;
}
TableBuilder& TableBuilder::add_u32(uint32_t v) {
    m_bytes.resize(m_bytes.size() + 4);
    put_u32(m_bytes, m_bytes.size() - 4, v);
    return *this;
}
TableBuilder& TableBuilder::add_u64(uint64_t v) {
    m_bytes.resize(m_bytes.size() + 8);
    put_u64(m_bytes, m_bytes.size() - 8, v);
    return *this;
}

Bytes TableBuilder::build() const {
    Bytes b = m_bytes;
    put_u32(b, LENGTH, static_cast<uint32_t>(b.size()));
    fix_checksum(b, CHECKSUM, b.size());
    return b;
}

Bytes make_xsdt(std::span<const uint64_t> entries) {
    TableBuilder t("XSDT");
    for (uint64_t e : entries)
        t.add_u64(e);
    return t.build();
}

Bytes make_rsdt(std::span<const uint32_t> entries) {
    TableBuilder t("RSDT");
    for (uint32_t e : entries)
        t.add_u32(e);
    return t.build();
}

MadtBuilder::MadtBuilder(uint32_t local_apic_address, uint32_t flags) : m_table("APIC", 5) {
    m_table.add_u32(local_apic_address).add_u32(flags);
}

MadtBuilder& MadtBuilder::local_apic(uint8_t uid, uint8_t apic_id, uint32_t flags) {
    m_table.add_u8(0).add_u8(8).add_u8(uid).add_u8(apic_id).add_u32(flags);
    return *this;
}
MadtBuilder& MadtBuilder::io_apic(uint8_t id, uint32_t address, uint32_t gsi_base) {
    m_table.add_u8(1).add_u8(12).add_u8(id).add_u8(0).add_u32(address).add_u32(gsi_base);
    return *this;
}
MadtBuilder& MadtBuilder::override_irq(uint8_t bus, uint8_t source, uint32_t gsi, uint16_t flags) {
    m_table.add_u8(2).add_u8(10).add_u8(bus).add_u8(source).add_u32(gsi).add_u16(flags);
    return *this;
}
MadtBuilder& MadtBuilder::nmi_source(uint16_t flags, uint32_t gsi) {
    m_table.add_u8(3).add_u8(8).add_u16(flags).add_u32(gsi);
    return *this;
}
MadtBuilder& MadtBuilder::local_apic_nmi(uint8_t uid, uint16_t flags, uint8_t lint) {
    m_table.add_u8(4).add_u8(6).add_u8(uid).add_u16(flags).add_u8(lint);
    return *this;
}
MadtBuilder& MadtBuilder::local_apic_address_override(uint64_t address) {
    m_table.add_u8(5).add_u8(12).add_u16(0).add_u64(address);
    return *this;
}
MadtBuilder& MadtBuilder::local_x2apic(uint32_t x2apic_id, uint32_t flags, uint32_t uid) {
    m_table.add_u8(9).add_u8(16).add_u16(0).add_u32(x2apic_id).add_u32(flags).add_u32(uid);
    return *this;
}
MadtBuilder& MadtBuilder::local_x2apic_nmi(uint16_t flags, uint32_t uid, uint8_t lint) {
    m_table.add_u8(0xa).add_u8(12).add_u16(flags).add_u32(uid).add_u8(lint);
    m_table.add_u8(0).add_u8(0).add_u8(0);
    return *this;
}
MadtBuilder& MadtBuilder::raw_entry(uint8_t type, uint8_t length, std::span<const uint8_t> body) {
    m_table.add_u8(type).add_u8(length);
    return raw_bytes(body);
}
MadtBuilder& MadtBuilder::raw_bytes(std::span<const uint8_t> bytes) {
    for (uint8_t b : bytes)
        m_table.add_u8(b);
    return *this;
}

Bytes make_qemu_madt() {
    return MadtBuilder(0xfee00000, 1)
        .local_apic(0, 0, 1)
        .local_apic(1, 1, 1)
        .local_apic(2, 2, 0)
        .local_apic(3, 3, 0)
        .io_apic(0, 0xfec00000, 0)
        .override_irq(0, 0, 2, 0)
        .override_irq(0, 5, 5, 0xd)
        .override_irq(0, 9, 9, 0xd)
        .override_irq(0, 10, 10, 0xd)
        .override_irq(0, 11, 11, 0xd)
        .local_apic_nmi(0xff, 0, 1)
        .build();
}

} // namespace acpi_test

namespace kernel::acpi {
void PrintTo(const AcpiError& e, std::ostream* os) {
    *os << mnos::error_name(e.code) << " / " << e.reason();
}
} // namespace kernel::acpi
