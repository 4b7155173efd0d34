#include "fake_config_space.h"

#include <stdexcept>

namespace pci_test {

namespace reg = lib::pci::reg;

uint16_t FakeFunction::u16(uint16_t offset) const {
    return uint16_t(bytes[offset] | bytes[offset + 1] << 8);
}
uint32_t FakeFunction::u32(uint16_t offset) const {
    return uint32_t(u16(offset)) | uint32_t(u16(offset + 2)) << 16;
}
void FakeFunction::set16(uint16_t offset, uint16_t v) {
    bytes[offset] = uint8_t(v);
    bytes[offset + 1] = uint8_t(v >> 8);
}
void FakeFunction::set32(uint16_t offset, uint32_t v) {
    set16(offset, uint16_t(v));
    set16(offset + 2, uint16_t(v >> 16));
}

FakeFunction& FakeFunction::raw_bar(uint8_t index, uint32_t value, uint32_t writable) {
    set32(reg::BAR0 + 4 * index, value);
    bar_writable[index] = writable;
    return *this;
}

FakeFunction& FakeFunction::memory32(uint8_t index, uint32_t base, uint32_t size,
                                     bool prefetchable) {
    return raw_bar(index, base | (prefetchable ? 8 : 0), ~(size - 1) & ~0xfu);
}

FakeFunction& FakeFunction::memory64(uint8_t index, uint64_t base, uint64_t size,
                                     bool prefetchable) {
    uint64_t writable = ~(size - 1);
    raw_bar(index, uint32_t(base) | 4 | (prefetchable ? 8 : 0), uint32_t(writable) & ~0xfu);
    return raw_bar(index + 1, uint32_t(base >> 32), uint32_t(writable >> 32));
}

FakeFunction& FakeFunction::io(uint8_t index, uint16_t base, uint32_t size) {
    return raw_bar(index, base | 1u, ~(size - 1) & ~0x3u);
}

FakeFunction& FakeFunction::bridge_buses(uint8_t primary, uint8_t secondary, uint8_t subordinate) {
    bytes[reg::PRIMARY_BUS] = primary;
    bytes[reg::SECONDARY_BUS] = secondary;
    bytes[reg::SUBORDINATE_BUS] = subordinate;
    return *this;
}

FakeFunction& FakeFunction::multifunction() {
    bytes[reg::HEADER_TYPE] |= lib::pci::HEADER_MULTIFUNCTION;
    return *this;
}

uint8_t FakeFunction::add_capability(uint8_t id, std::initializer_list<uint8_t> body) {
    uint8_t offset = m_next_free;
    if (offset + 2 + body.size() > 256)
        throw std::length_error("capability does not fit the fake configuration space");
    bytes[offset] = id;
    bytes[offset + 1] = 0;
    size_t i = offset + 2;
    for (uint8_t b : body)
        bytes[i++] = b;
    m_next_free = uint8_t((i + 3) & ~size_t(3));
    if (m_last_capability)
        bytes[m_last_capability + 1] = offset;
    else
        bytes[reg::CAPABILITIES] = offset;
    m_last_capability = offset;
    set16(reg::STATUS, u16(reg::STATUS) | lib::pci::STATUS_CAPABILITIES);
    return offset;
}

uint8_t FakeFunction::add_msix(uint16_t table_size, uint8_t table_bar, uint32_t table_offset,
                               uint8_t pba_bar, uint32_t pba_offset) {
    uint16_t control = uint16_t(table_size - 1);
    uint32_t table = table_offset | table_bar, pba = pba_offset | pba_bar;
    return add_capability(0x11, {uint8_t(control), uint8_t(control >> 8), uint8_t(table),
                                 uint8_t(table >> 8), uint8_t(table >> 16), uint8_t(table >> 24),
                                 uint8_t(pba), uint8_t(pba >> 8), uint8_t(pba >> 16),
                                 uint8_t(pba >> 24)});
}

uint8_t FakeFunction::add_virtio(uint8_t type, uint8_t bar, uint32_t offset, uint32_t length,
                                 uint32_t notify_multiplier) {
    uint8_t cap_len = type == 2 ? 20 : 16;
    uint8_t at = add_capability(0x09, {cap_len, type, bar, 0, 0, 0});
    set32(at + 8, offset);
    set32(at + 12, length);
    if (type == 2) {
        set32(at + 16, notify_multiplier);
        m_next_free = uint8_t(at + 20);
    } else {
        m_next_free = uint8_t(at + 16);
    }
    return at;
}

FakeFunction& FakeBus::add(Bdf bdf, uint16_t vendor, uint16_t device, uint8_t class_code,
                           uint8_t subclass, uint8_t prog_if, uint8_t header) {
    FakeFunction& f = m_functions[key(bdf)];
    f.set16(reg::VENDOR_ID, vendor);
    f.set16(reg::DEVICE_ID, device);
    f.bytes[reg::CLASS] = class_code;
    f.bytes[reg::SUBCLASS] = subclass;
    f.bytes[reg::PROG_IF] = prog_if;
    f.bytes[reg::HEADER_TYPE] = header;
    // Firmware left decoding on, as it does for every device it assigned.
    f.set16(reg::COMMAND, lib::pci::COMMAND_IO | lib::pci::COMMAND_MEMORY);
    return f;
}

FakeFunction* FakeBus::find(Bdf bdf) {
    auto it = m_functions.find(key(bdf));
    return it == m_functions.end() ? nullptr : &it->second;
}

uint32_t FakeBus::read32(Bdf bdf, uint16_t offset) {
    ++m_accesses;
    if (offset % 4 || offset >= 256) {
        ++m_unaligned;
        return 0xffffffff;
    }
    FakeFunction* f = find(bdf);
    return f ? f->u32(offset) : 0xffffffff;
}

void FakeBus::write32(Bdf bdf, uint16_t offset, uint32_t value) {
    ++m_accesses;
    if (offset % 4 || offset >= 256) {
        ++m_unaligned;
        return;
    }
    FakeFunction* f = find(bdf);
    if (!f)
        return;
    if (offset >= reg::BAR0 && offset < reg::BAR0 + 24) {
        if (f->u16(reg::COMMAND) & (lib::pci::COMMAND_IO | lib::pci::COMMAND_MEMORY))
            ++m_bar_writes_while_decoding;
        unsigned index = (offset - reg::BAR0) / 4;
        uint32_t writable = f->bar_writable[index];
        // Like hardware: the flag bits (the low four) are read-only, every other bit that is
        // not writable reads as zero, which is what makes the size visible.
        f->set32(offset, (f->u32(offset) & 0xfu & ~writable) | (value & writable));
        return;
    }
    f->set32(offset, value);
}

void FakeBus::write16(Bdf bdf, uint16_t offset, uint16_t value) {
    ++m_accesses;
    if (offset % 2 || offset >= 256) {
        ++m_unaligned;
        return;
    }
    if (FakeFunction* f = find(bdf))
        f->set16(offset, value);
}

} // namespace pci_test
