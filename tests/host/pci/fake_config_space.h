// A synthetic PCI bus for the host tests: functions with byte-addressed configuration space
// and BARs that behave like hardware under the sizing protocol (only their address bits above
// the size are writable, the flag bits are read-only). Builders place capabilities and
// bridges; raw setters break one thing at a time. It also watches how it is used: every access
// is counted (so a test can prove a walk ended in bounded work) and a BAR written while the
// function's decoding is on is recorded as a protocol violation.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <tuple>

#include "lib/pci/config_space.h"

namespace pci_test {

using lib::pci::Bdf;

class FakeFunction {
public:
    std::array<uint8_t, 256> bytes{};
    std::array<uint32_t, 6> bar_writable{}; // writable bits of each BAR dword

    uint8_t u8(uint16_t offset) const { return bytes[offset]; }
    uint16_t u16(uint16_t offset) const;
    uint32_t u32(uint16_t offset) const;
    void set8(uint16_t offset, uint8_t v) { bytes[offset] = v; }
    void set16(uint16_t offset, uint16_t v);
    void set32(uint16_t offset, uint32_t v);

    FakeFunction& memory32(uint8_t index, uint32_t base, uint32_t size, bool prefetchable = false);
    FakeFunction& memory64(uint8_t index, uint64_t base, uint64_t size, bool prefetchable = false);
    FakeFunction& io(uint8_t index, uint16_t base, uint32_t size);
    // Any BAR dword: its value and which of its bits stick when written.
    FakeFunction& raw_bar(uint8_t index, uint32_t value, uint32_t writable);
    FakeFunction& bridge_buses(uint8_t primary, uint8_t secondary, uint8_t subordinate);
    FakeFunction& multifunction();

    // Appends a capability with `body` (the bytes after ID and next pointer) at the next free
    // offset (from 0x40, 4-byte aligned), links it at the end of the list and sets the status
    // bit. Returns its offset.
    uint8_t add_capability(uint8_t id, std::initializer_list<uint8_t> body);
    uint8_t add_msix(uint16_t table_size, uint8_t table_bar, uint32_t table_offset, uint8_t pba_bar,
                     uint32_t pba_offset);
    uint8_t add_virtio(uint8_t type, uint8_t bar, uint32_t offset, uint32_t length,
                       uint32_t notify_multiplier = 0);
    void set_next(uint8_t capability_offset, uint8_t next) { bytes[capability_offset + 1] = next; }

private:
    uint8_t m_next_free = 0x40;
    uint8_t m_last_capability = 0;
};

class FakeBus final : public lib::pci::ConfigSpace {
public:
    // A function with these IDs, class and header layout (0 device, 1 bridge).
    FakeFunction& add(Bdf bdf, uint16_t vendor, uint16_t device, uint8_t class_code,
                      uint8_t subclass, uint8_t prog_if = 0, uint8_t header = 0);
    FakeFunction& at(Bdf bdf) { return m_functions.at(key(bdf)); }

    uint32_t read32(Bdf bdf, uint16_t offset) override;
    void write32(Bdf bdf, uint16_t offset, uint32_t value) override;
    void write16(Bdf bdf, uint16_t offset, uint16_t value) override;

    uint64_t accesses() const { return m_accesses; }
    uint32_t bar_writes_while_decoding() const { return m_bar_writes_while_decoding; }
    uint32_t unaligned_accesses() const { return m_unaligned; }

private:
    using Key = std::tuple<uint8_t, uint8_t, uint8_t>;
    static Key key(Bdf b) { return {b.bus, b.device, b.function}; }
    FakeFunction* find(Bdf bdf);

    std::map<Key, FakeFunction> m_functions;
    uint64_t m_accesses = 0;
    uint32_t m_bar_writes_while_decoding = 0;
    uint32_t m_unaligned = 0;
};

} // namespace pci_test
