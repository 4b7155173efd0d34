#include "lib/symbol_table.h"
#include "lib/bytes.h"

namespace lib {

namespace {

constexpr size_t HEADER_SIZE = 8;
constexpr size_t ENTRY_SIZE = 16;

} // namespace

Result<SymbolTable> SymbolTable::parse(std::span<const uint8_t> blob) {
    if (blob.size() < HEADER_SIZE || blob[0] != 'K' || blob[1] != 'S' || blob[2] != 'Y' ||
        blob[3] != 'M')
        return fail(Error::Malformed);
    uint32_t count = read_le<uint32_t>(blob, 4);
    if (count > (blob.size() - HEADER_SIZE) / ENTRY_SIZE)
        return fail(Error::Malformed);
    auto entries = blob.subspan(HEADER_SIZE, size_t(count) * ENTRY_SIZE);
    auto strings = blob.subspan(HEADER_SIZE + entries.size());
    uint64_t previous = 0;
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t address = read_le<uint64_t>(entries, size_t(i) * ENTRY_SIZE);
        uint32_t name = read_le<uint32_t>(entries, size_t(i) * ENTRY_SIZE + 8);
        if (address < previous || name >= strings.size())
            return fail(Error::Malformed);
        previous = address;
    }
    // Every name must end inside the string table, which is true if its last byte is a NUL.
    if (count && strings.back() != 0)
        return fail(Error::Malformed);
    return SymbolTable(entries, strings, count);
}

uint64_t SymbolTable::address_at(uint32_t index) const {
    return read_le<uint64_t>(m_entries, size_t(index) * ENTRY_SIZE);
}

Result<Symbol> SymbolTable::lookup(uint64_t address) const {
    // Binary search for the last entry whose address is <= the one looked up.
    uint32_t low = 0, high = m_count;
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        if (address_at(mid) <= address)
            low = mid + 1;
        else
            high = mid;
    }
    if (low == 0)
        return fail(Error::NotFound);
    uint32_t index = low - 1;
    uint64_t start = address_at(index);
    uint32_t size = read_le<uint32_t>(m_entries, size_t(index) * ENTRY_SIZE + 12);
    if (size != 0 && address - start >= size)
        return fail(Error::NotFound);
    uint32_t name_offset = read_le<uint32_t>(m_entries, size_t(index) * ENTRY_SIZE + 8);
    // parse() checked the table ends in a NUL, so the name is terminated inside it; the bytes
    // are characters, hence the cast.
    const char* name = reinterpret_cast<const char*>(m_strings.data() + name_offset);
    return Symbol{StringView(name), start, address - start};
}

} // namespace lib
