// The kernel's embedded symbol table: turns a code address into "function+offset" for
// backtraces. The build writes the table (tools/gen-ksyms) from the linked kernel's own symbols.
//
// Layout, all little-endian:
//   "KSYM"  u32 count
//   count x { u64 address, u32 name_offset, u32 size }   sorted by address
//   string table (NUL-terminated names, name_offset counts from its start)
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"
#include "lib/string_view.h"

namespace lib {

struct Symbol {
    StringView name;
    uint64_t address = 0;
    uint64_t offset = 0; // how far the looked-up address is past the symbol's start
};

class SymbolTable {
public:
    // Validates the header and that every entry and name lies inside `blob`.
    static Result<SymbolTable> parse(std::span<const uint8_t> blob);

    // The symbol containing `address`: the last one starting at or below it, within its size
    // when the size is known. NotFound outside every symbol.
    Result<Symbol> lookup(uint64_t address) const;
    uint32_t count() const { return m_count; }

private:
    SymbolTable(std::span<const uint8_t> entries, std::span<const uint8_t> strings, uint32_t count)
        : m_entries(entries), m_strings(strings), m_count(count) {}
    uint64_t address_at(uint32_t index) const;

    std::span<const uint8_t> m_entries;
    std::span<const uint8_t> m_strings;
    uint32_t m_count = 0;
};

} // namespace lib
