#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernel/boot/multiboot2.h"

namespace {

using kernel::MemoryType;
namespace mb2 = kernel::multiboot2;

// Builds a Multiboot2 information block tag by tag, 8-byte aligned as GRUB writes it.
class BlockBuilder {
public:
    BlockBuilder() { m_bytes.resize(8); }

    BlockBuilder& tag(uint32_t type, const std::vector<uint8_t>& payload) {
        size_t start = m_bytes.size();
        put32(type);
        put32(uint32_t(8 + payload.size()));
        m_bytes.insert(m_bytes.end(), payload.begin(), payload.end());
        while (m_bytes.size() % 8)
            m_bytes.push_back(0);
        m_last_tag = start;
        return *this;
    }
    BlockBuilder& string_tag(uint32_t type, const std::string& s) {
        std::vector<uint8_t> payload(s.begin(), s.end());
        payload.push_back(0);
        return tag(type, payload);
    }
    BlockBuilder& memory_map(std::vector<std::tuple<uint64_t, uint64_t, uint32_t>> regions) {
        std::vector<uint8_t> p;
        append32(p, 24); // entry size
        append32(p, 0);  // entry version
        for (auto [base, length, type] : regions) {
            append64(p, base);
            append64(p, length);
            append32(p, type);
            append32(p, 0);
        }
        return tag(6, p);
    }
    BlockBuilder& end() { return tag(0, {}); }

    std::vector<uint8_t> build() {
        uint32_t total = uint32_t(m_bytes.size());
        std::memcpy(m_bytes.data(), &total, 4);
        return m_bytes;
    }
    size_t last_tag_offset() const { return m_last_tag; }

    static void append32(std::vector<uint8_t>& v, uint32_t x) {
        for (int i = 0; i < 4; ++i)
            v.push_back(uint8_t(x >> (8 * i)));
    }
    static void append64(std::vector<uint8_t>& v, uint64_t x) {
        for (int i = 0; i < 8; ++i)
            v.push_back(uint8_t(x >> (8 * i)));
    }

private:
    void put32(uint32_t x) { append32(m_bytes, x); }
    std::vector<uint8_t> m_bytes;
    size_t m_last_tag = 0;
};

std::vector<uint8_t> rgb_framebuffer_payload(uint64_t address, uint32_t width, uint32_t height,
                                             uint8_t bpp) {
    std::vector<uint8_t> p;
    BlockBuilder::append64(p, address);
    BlockBuilder::append32(p, width * 4); // pitch
    BlockBuilder::append32(p, width);
    BlockBuilder::append32(p, height);
    p.push_back(bpp);
    p.push_back(1); // RGB
    p.push_back(0); // GRUB's 16-bit reserved field
    p.push_back(0);
    for (uint8_t v : {16, 8, 8, 8, 0, 8}) // red, green, blue: position and size
        p.push_back(v);
    return p;
}

BlockBuilder typical() {
    BlockBuilder b;
    b.string_tag(1, "test=boot")
        .string_tag(2, "GRUB 2.06")
        .memory_map({{0, 0x9fc00, 1}, {0x100000, 0x1ff00000, 1}, {0xfffc0000, 0x40000, 2},
                     {0x7fe0000, 0x20000, 3}});
    return b;
}

} // namespace

TEST(Multiboot2, ParsesATypicalBlock) {
    std::vector<uint8_t> rsdp(20, 0);
    std::memcpy(rsdp.data(), "RSD PTR ", 8);
    std::vector<uint8_t> module;
    BlockBuilder::append32(module, 0x400000);
    BlockBuilder::append32(module, 0x410000);
    for (char c : std::string("initrd"))
        module.push_back(uint8_t(c));
    module.push_back(0);

    auto bytes = typical()
                     .tag(8, rgb_framebuffer_payload(0xfd000000, 1024, 768, 32))
                     .tag(14, rsdp)
                     .tag(3, module)
                     .end()
                     .build();
    auto info = mb2::parse(bytes, lib::PhysAddr(0x10000));
    ASSERT_TRUE(info.has_value()) << info.error().reason;
    EXPECT_STREQ(info->command_line, "test=boot");
    EXPECT_STREQ(info->loader_name, "GRUB 2.06");
    ASSERT_EQ(info->region_count, 4u);
    EXPECT_EQ(info->regions[1].base.value(), 0x100000u);
    EXPECT_EQ(info->regions[1].type, MemoryType::Usable);
    EXPECT_EQ(info->regions[2].type, MemoryType::Reserved);
    EXPECT_EQ(info->regions[3].type, MemoryType::AcpiReclaimable);
    ASSERT_TRUE(info->has_framebuffer());
    EXPECT_EQ(info->framebuffer.width, 1024u);
    EXPECT_EQ(info->framebuffer.red_shift, 16);
    EXPECT_EQ(info->framebuffer.green_shift, 8);
    EXPECT_EQ(info->framebuffer.blue_shift, 0);
    ASSERT_EQ(info->module_count, 1u);
    EXPECT_EQ(info->modules[0].end.value(), 0x410000u);
    EXPECT_STREQ(info->modules[0].name, "initrd");
    EXPECT_FALSE(info->rsdp.is_null());
    EXPECT_FALSE(info->rsdp_is_xsdp);
    EXPECT_EQ(info->boot_info_end.value(), 0x10000u + bytes.size());
}

TEST(Multiboot2, PrefersTheAcpi2Rsdp) {
    std::vector<uint8_t> rsdp(36, 0);
    auto builder = typical().tag(15, rsdp);
    size_t new_tag = builder.last_tag_offset();
    auto bytes = builder.tag(14, std::vector<uint8_t>(20, 0)).end().build();
    auto info = mb2::parse(bytes, lib::PhysAddr(0x1000));
    ASSERT_TRUE(info.has_value());
    EXPECT_TRUE(info->rsdp_is_xsdp);
    EXPECT_EQ(info->rsdp.value(), 0x1000u + new_tag + 8);
}

TEST(Multiboot2, FramebufferThatIsNotRgb32IsIgnoredNotFatal) {
    auto bytes = typical().tag(8, rgb_framebuffer_payload(0xb8000, 80, 25, 16)).end().build();
    auto info = mb2::parse(bytes, lib::PhysAddr(0));
    ASSERT_TRUE(info.has_value());
    EXPECT_FALSE(info->has_framebuffer());
}

struct Malformed {
    const char* name;
    std::vector<uint8_t> bytes;
    const char* reason;
};

TEST(Multiboot2, RefusesMalformedBlocks) {
    std::vector<Malformed> cases;

    cases.push_back({"too small", {8, 0, 0, 0, 0, 0, 0, 0}, "smaller than its header"});

    auto oversized = typical().end().build();
    uint32_t huge = uint32_t(oversized.size() + 8);
    std::memcpy(oversized.data(), &huge, 4);
    cases.push_back({"declared size past the buffer", oversized, "size is out of range"});

    cases.push_back({"no end tag", typical().build(), "no end tag"});

    auto overrun = typical().end().build();
    uint32_t big_tag = 4096; // the first tag claims to be longer than the block
    std::memcpy(overrun.data() + 12, &big_tag, 4);
    cases.push_back({"tag overruns block", overrun, "runs past the end"});

    auto tiny_tag = typical().end().build();
    uint32_t four = 4;
    std::memcpy(tiny_tag.data() + 12, &four, 4);
    cases.push_back({"tag smaller than its header", tiny_tag, "runs past the end"});

    BlockBuilder unterminated;
    unterminated.tag(1, {'a', 'b', 'c'}); // padded with zeros to 8: make the padding non-zero
    auto unterminated_bytes = unterminated.end().build();
    unterminated_bytes[8 + 8 + 3] = 'x';
    uint32_t exact = 8 + 3;
    std::memcpy(unterminated_bytes.data() + 12, &exact, 4);
    cases.push_back({"unterminated string", unterminated_bytes, "not terminated"});

    std::vector<uint8_t> bad_entry_size;
    BlockBuilder::append32(bad_entry_size, 12);
    BlockBuilder::append32(bad_entry_size, 0);
    cases.push_back({"memory map entry size", BlockBuilder().tag(6, bad_entry_size).end().build(),
                     "entry size is invalid"});

    cases.push_back({"no memory map", BlockBuilder().string_tag(1, "x").end().build(),
                     "no memory map"});

    auto wrapping = BlockBuilder().memory_map({{~0ull - 10, 100, 1}}).end().build();
    cases.push_back({"region wraps", wrapping, "wraps around"});

    std::vector<uint8_t> backwards_module;
    BlockBuilder::append32(backwards_module, 0x5000);
    BlockBuilder::append32(backwards_module, 0x4000);
    backwards_module.push_back(0);
    cases.push_back({"module ends before start", typical().tag(3, backwards_module).end().build(),
                     "ends before it starts"});

    auto misaligned = typical().end().build();
    misaligned.insert(misaligned.begin() + 8, {3, 0, 0, 0}); // shifts every tag by 4 bytes
    uint32_t total = uint32_t(misaligned.size());
    std::memcpy(misaligned.data(), &total, 4);
    cases.push_back({"misaligned tag", misaligned, "tag size runs past"});

    for (const auto& c : cases) {
        auto info = mb2::parse(c.bytes, lib::PhysAddr(0));
        ASSERT_FALSE(info.has_value()) << c.name;
        EXPECT_NE(std::string(info.error().reason).find(c.reason), std::string::npos)
            << c.name << ": got \"" << info.error().reason << "\"";
    }
}

TEST(Multiboot2, TruncationAtEveryLengthIsRefusedWithoutReadingPastTheSpan) {
    auto full = typical().tag(8, rgb_framebuffer_payload(0xfd000000, 800, 600, 32)).end().build();
    for (size_t length = 0; length < full.size(); ++length) {
        // A heap copy of exactly `length` bytes: AddressSanitizer-style tools would flag a read
        // past it, and the parser must refuse it because the declared size no longer fits.
        std::vector<uint8_t> cut(full.begin(), full.begin() + long(length));
        auto info = mb2::parse(cut, lib::PhysAddr(0));
        EXPECT_FALSE(info.has_value()) << "length " << length;
    }
}
