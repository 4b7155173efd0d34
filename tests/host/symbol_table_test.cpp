#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "lib/symbol_table.h"

namespace {

std::vector<uint8_t> blob(std::vector<std::tuple<uint64_t, uint32_t, std::string>> symbols) {
    std::vector<uint8_t> entries, strings;
    for (auto& [address, size, name] : symbols) {
        uint32_t offset = uint32_t(strings.size());
        uint8_t raw[16];
        std::memcpy(raw, &address, 8);
        std::memcpy(raw + 8, &offset, 4);
        std::memcpy(raw + 12, &size, 4);
        entries.insert(entries.end(), raw, raw + 16);
        strings.insert(strings.end(), name.begin(), name.end());
        strings.push_back(0);
    }
    std::vector<uint8_t> out = {'K', 'S', 'Y', 'M'};
    uint32_t count = uint32_t(symbols.size());
    out.insert(out.end(), reinterpret_cast<uint8_t*>(&count), reinterpret_cast<uint8_t*>(&count) + 4);
    out.insert(out.end(), entries.begin(), entries.end());
    out.insert(out.end(), strings.begin(), strings.end());
    return out;
}

} // namespace

TEST(SymbolTable, FindsTheContainingSymbol) {
    auto b = blob({{0x1000, 0x20, "first"}, {0x1020, 0x10, "second"}, {0x2000, 0, "no_size"}});
    auto table = lib::SymbolTable::parse(b);
    ASSERT_TRUE(table.has_value());
    auto s = table->lookup(0x1024);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->name, lib::StringView("second"));
    EXPECT_EQ(s->offset, 4u);
    EXPECT_EQ(table->lookup(0x1000)->name, lib::StringView("first"));
    EXPECT_FALSE(table->lookup(0xfff).has_value());  // below every symbol
    EXPECT_FALSE(table->lookup(0x1030).has_value()); // past second's size, before no_size
    EXPECT_EQ(table->lookup(0x9999)->name, lib::StringView("no_size"));
}

TEST(SymbolTable, RefusesMalformedBlobs) {
    auto good = blob({{0x1000, 4, "a"}, {0x2000, 4, "b"}});
    auto bad_magic = good;
    bad_magic[0] = 'X';
    EXPECT_FALSE(lib::SymbolTable::parse(bad_magic).has_value());
    auto huge_count = good;
    huge_count[7] = 0x7f;
    EXPECT_FALSE(lib::SymbolTable::parse(huge_count).has_value());
    auto unsorted = blob({{0x2000, 4, "a"}, {0x1000, 4, "b"}});
    EXPECT_FALSE(lib::SymbolTable::parse(unsorted).has_value());
    auto unterminated = good;
    unterminated.back() = 'z';
    EXPECT_FALSE(lib::SymbolTable::parse(unterminated).has_value());
    auto name_out_of_range = good;
    name_out_of_range[8 + 8] = 200;
    EXPECT_FALSE(lib::SymbolTable::parse(name_out_of_range).has_value());
}
