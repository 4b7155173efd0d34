// Builders for synthetic ACPI structures and a fake physical memory to place them in. They
// write little-endian fields byte by byte and compute checksums the way firmware does, so the
// parser under test sees exactly what a real machine would give it; the corrupt_* helpers then
// break one thing at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string_view>
#include <vector>

#include "kernel/acpi/diagnostic.h"
#include "kernel/acpi/physical_reader.h"
#include "lib/address.h"

namespace acpi_test {

using Bytes = std::vector<uint8_t>;

void put_u16(Bytes& b, size_t offset, uint16_t v);
void put_u32(Bytes& b, size_t offset, uint32_t v);
void put_u64(Bytes& b, size_t offset, uint64_t v);
// Sets b[checksum_offset] so that b[0, length) sums to zero mod 256.
void fix_checksum(Bytes& b, size_t checksum_offset, size_t length);

// A byte buffer posing as physical memory [base, base + size).
class FakeMemory {
public:
    static constexpr uint64_t DEFAULT_BASE = 0xe0000;
    explicit FakeMemory(uint64_t size = 0x20000, uint64_t base = DEFAULT_BASE)
        : m_bytes(size, 0), m_base(base) {}

    kernel::acpi::PhysicalReader reader() const {
        return {m_bytes.data(), lib::PhysAddr(m_base), m_bytes.size()};
    }
    void place(uint64_t phys, std::span<const uint8_t> data);
    uint64_t base() const { return m_base; }
    uint64_t end() const { return m_base + m_bytes.size(); }

private:
    std::vector<uint8_t> m_bytes;
    uint64_t m_base;
};

// RSDP with correct checksums. revision < 2 gives the 20-byte ACPI 1.0 structure.
Bytes make_rsdp(uint8_t revision, uint32_t rsdt, uint64_t xsdt = 0);
inline constexpr size_t RSDP_CHECKSUM = 8;
inline constexpr size_t RSDP_LENGTH = 20;
inline constexpr size_t RSDP_EXTENDED_CHECKSUM = 32;

// A system description table: the 36-byte header, then a body appended with the add_* calls.
class TableBuilder {
public:
    static constexpr size_t LENGTH = 4;
    static constexpr size_t CHECKSUM = 9;

    explicit TableBuilder(std::string_view signature, uint8_t revision = 1);

    TableBuilder& add_u8(uint8_t v);
    TableBuilder& add_u16(uint16_t v);
    TableBuilder& add_u32(uint32_t v);
    TableBuilder& add_u64(uint64_t v);

    // The finished table: length = bytes so far, checksum fixed.
    Bytes build() const;

private:
    Bytes m_bytes;
};

Bytes make_xsdt(std::span<const uint64_t> entries);
Bytes make_rsdt(std::span<const uint32_t> entries);

// MADT entries, each appended with its own type and length byte.
class MadtBuilder {
public:
    explicit MadtBuilder(uint32_t local_apic_address = 0xfee00000, uint32_t flags = 1);

    MadtBuilder& local_apic(uint8_t uid, uint8_t apic_id, uint32_t flags);
    MadtBuilder& io_apic(uint8_t id, uint32_t address, uint32_t gsi_base);
    MadtBuilder& override_irq(uint8_t bus, uint8_t source, uint32_t gsi, uint16_t flags);
    MadtBuilder& nmi_source(uint16_t flags, uint32_t gsi);
    MadtBuilder& local_apic_nmi(uint8_t uid, uint16_t flags, uint8_t lint);
    MadtBuilder& local_apic_address_override(uint64_t address);
    MadtBuilder& local_x2apic(uint32_t x2apic_id, uint32_t flags, uint32_t uid);
    MadtBuilder& local_x2apic_nmi(uint16_t flags, uint32_t uid, uint8_t lint);
    // Any entry, with an explicit length byte: `body` follows type and length and need not
    // match `length` (that is how the malformed cases are made).
    MadtBuilder& raw_entry(uint8_t type, uint8_t length, std::span<const uint8_t> body);
    MadtBuilder& raw_bytes(std::span<const uint8_t> bytes);

    Bytes build() const { return m_table.build(); }

private:
    TableBuilder m_table;
};

// The MADT QEMU's pc machine gives a guest with -smp 2,maxcpus=4: two enabled CPUs, two that
// are neither enabled nor online-capable, one I/O APIC at 0xfec00000 with GSI base 0, the
// usual overrides (IRQ0 -> GSI 2; IRQ5, 9, 10, 11 level active-high) and LINT1 NMI for all.
Bytes make_qemu_madt();

} // namespace acpi_test

// gtest finds this by argument-dependent lookup when an AcpiError expectation fails.
namespace kernel::acpi {
void PrintTo(const AcpiError& e, std::ostream* os);
} // namespace kernel::acpi
