#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "lib/elf.h"
#include "tests/host/simulated_address_space.h"

using lib::Error;
using lib::UserRange;
using lib::VirtAddr;
using test::SimulatedAddressSpace;

namespace {

constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t PT_INTERP = 3;
constexpr uint32_t PT_NOTE = 4;
constexpr uint32_t R = 4, W = 2, X = 1;

struct Phdr {
    uint32_t type = PT_LOAD;
    uint32_t flags = R;
    uint64_t offset = 0;
    uint64_t vaddr = 0;
    uint64_t filesz = 0;
    uint64_t memsz = 0;
    uint64_t align = 0x1000;
};

template <typename T> void poke(std::vector<uint8_t>& b, size_t at, T v) {
    ASSERT_LE(at + sizeof v, b.size());
    std::memcpy(b.data() + at, &v, sizeof v);
}

// Writes an ELF64 header, the program header table right after it, and a file of `file_size`
// bytes whose contents are a known pattern (byte i of the file is i * 7 + 3), so that a loaded
// byte can be traced back to its file offset.
std::vector<uint8_t> make_elf(uint64_t entry, const std::vector<Phdr>& phdrs,
                              size_t file_size = 0x3000) {
    size_t table_end = 64 + 56 * phdrs.size();
    std::vector<uint8_t> b(std::max(file_size, table_end));
    for (size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<uint8_t>(i * 7 + 3);
    std::memset(b.data(), 0, table_end);
    const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    std::memcpy(b.data(), ident, sizeof ident);
    poke<uint16_t>(b, 16, 2);  // ET_EXEC
    poke<uint16_t>(b, 18, 62); // EM_X86_64
    poke<uint32_t>(b, 20, 1);
    poke<uint64_t>(b, 24, entry);
    poke<uint64_t>(b, 32, 64); // e_phoff
    poke<uint16_t>(b, 52, 64);
    poke<uint16_t>(b, 54, 56);
    poke<uint16_t>(b, 56, static_cast<uint16_t>(phdrs.size()));
    for (size_t i = 0; i < phdrs.size(); ++i) {
        size_t at = 64 + 56 * i;
        const Phdr& p = phdrs[i];
        poke<uint32_t>(b, at + 0, p.type);
        poke<uint32_t>(b, at + 4, p.flags);
        poke<uint64_t>(b, at + 8, p.offset);
        poke<uint64_t>(b, at + 16, p.vaddr);
        poke<uint64_t>(b, at + 24, p.vaddr);
        poke<uint64_t>(b, at + 32, p.filesz);
        poke<uint64_t>(b, at + 40, p.memsz);
        poke<uint64_t>(b, at + 48, p.align);
    }
    return b;
}

uint8_t pattern(uint64_t file_offset) { return static_cast<uint8_t>(file_offset * 7 + 3); }

// Text at 0x400000 (R+X), data at 0x401010 with 0x20 file bytes and a BSS running two pages
// further (R+W).
const Phdr TEXT{PT_LOAD, R | X, 0x1000, 0x400000, 0x80, 0x80};
const Phdr DATA{PT_LOAD, R | W, 0x2010, 0x401010, 0x20, 0x2100};
std::vector<uint8_t> valid_elf() { return make_elf(0x400010, {TEXT, DATA}); }

// Offsets in the file of the i-th program header's fields.
size_t ph(size_t i, size_t field) { return 64 + 56 * i + field; }
constexpr size_t P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32, P_MEMSZ = 40,
                 P_ALIGN = 48;

struct Failure {
    Error error;
    std::string reason;
};

Failure parse_error(const std::vector<uint8_t>& image, const UserRange& range = {}) {
    const char* reason = "";
    auto r = lib::elf_parse(image, range, &reason);
    EXPECT_FALSE(r.has_value()) << "image unexpectedly valid";
    if (r)
        return {Error::InvalidArgument, "(valid)"};
    return {r.error(), reason};
}

#define EXPECT_REJECTED(image, err, why)                                                           \
    do {                                                                                           \
        Failure f_ = parse_error(image);                                                           \
        EXPECT_EQ(f_.error, err) << f_.reason;                                                     \
        EXPECT_EQ(f_.reason, why);                                                                 \
    } while (0)

} // namespace

TEST(Elf, ParsesValidImage) {
    auto image = valid_elf();
    const char* reason = "";
    auto r = lib::elf_parse(image, {}, &reason);
    ASSERT_TRUE(r.has_value()) << reason;
    EXPECT_EQ(r->entry, VirtAddr(0x400010));
    ASSERT_EQ(r->segment_count, 2u);
    const auto& text = r->segments[0];
    EXPECT_EQ(text.vaddr, VirtAddr(0x400000));
    EXPECT_EQ(text.file_offset, 0x1000u);
    EXPECT_EQ(text.file_size, 0x80u);
    EXPECT_EQ(text.mem_size, 0x80u);
    EXPECT_EQ(text.flags, (lib::SegmentFlags{true, false, true}));
    const auto& data = r->segments[1];
    EXPECT_EQ(data.vaddr, VirtAddr(0x401010));
    EXPECT_EQ(data.flags, (lib::SegmentFlags{true, true, false}));
    EXPECT_EQ(data.page_start(), VirtAddr(0x401000));
    EXPECT_EQ(data.page_end(), VirtAddr(0x404000));
    EXPECT_EQ(data.page_count(), 3u);
}

TEST(Elf, SegmentsAreSortedAndEmptyOnesSkipped) {
    Phdr empty{PT_LOAD, R, 0, 0x900000, 0, 0};
    Phdr note{PT_NOTE, R, 0x1000, 0, 0x10, 0x10, 4};
    auto image = make_elf(0x400010, {DATA, empty, note, TEXT});
    auto r = lib::elf_parse(image);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->segment_count, 2u);
    EXPECT_EQ(r->segments[0].vaddr, VirtAddr(0x400000));
    EXPECT_EQ(r->segments[1].vaddr, VirtAddr(0x401010));
}

TEST(Elf, LoadsBytesAndZeroesBss) {
    auto image = valid_elf();
    SimulatedAddressSpace as;
    const char* reason = "";
    auto entry = lib::elf_load(image, {}, as, &reason);
    ASSERT_TRUE(entry.has_value()) << reason;
    EXPECT_EQ(*entry, VirtAddr(0x400010));
    EXPECT_EQ(as.page_count(), 1u + 3u);

    // Text: file bytes at their addresses, the rest of its page zero.
    for (uint64_t i = 0; i < 0x80; ++i)
        ASSERT_EQ(as.byte(0x400000 + i), pattern(0x1000 + i)) << i;
    for (uint64_t a = 0x400080; a < 0x401000; ++a)
        ASSERT_EQ(as.byte(a), 0) << std::hex << a;
    // Data: zero before vaddr in the first page (the file has pattern bytes there, which must
    // not leak in), the 0x20 file bytes, then zero through the BSS and the page tail.
    for (uint64_t a = 0x401000; a < 0x401010; ++a)
        ASSERT_EQ(as.byte(a), 0) << std::hex << a;
    for (uint64_t i = 0; i < 0x20; ++i)
        ASSERT_EQ(as.byte(0x401010 + i), pattern(0x2010 + i)) << i;
    for (uint64_t a = 0x401030; a < 0x404000; ++a)
        ASSERT_EQ(as.byte(a), 0) << std::hex << a;
    EXPECT_FALSE(as.byte(0x404000).has_value());
    EXPECT_FALSE(as.byte(0x3ff000).has_value());

    EXPECT_EQ(as.flags(0x400000), (lib::SegmentFlags{true, false, true}));
    EXPECT_EQ(as.flags(0x403fff), (lib::SegmentFlags{true, true, false}));
}

TEST(Elf, LoadPropagatesSinkErrors) {
    auto image = valid_elf();
    SimulatedAddressSpace tiny(2); // the data segment's three pages do not fit
    const char* reason = "";
    auto entry = lib::elf_load(image, {}, tiny, &reason);
    ASSERT_FALSE(entry.has_value());
    EXPECT_EQ(entry.error(), Error::OutOfMemory);
    EXPECT_EQ(tiny.map_calls, 1);

    auto parsed = lib::elf_parse(image);
    ASSERT_TRUE(parsed.has_value());
    std::vector<uint8_t> shorter(image.begin(), image.begin() + 0x1010);
    SimulatedAddressSpace as;
    EXPECT_EQ(lib::elf_load(*parsed, shorter, as).error(), Error::InvalidArgument);
}

TEST(Elf, RejectsTruncatedHeader) {
    auto image = valid_elf();
    image.resize(63);
    EXPECT_REJECTED(image, Error::Malformed, "elf: file shorter than the ELF header");
    EXPECT_REJECTED(std::vector<uint8_t>{}, Error::Malformed,
                    "elf: file shorter than the ELF header");
}

TEST(Elf, RejectsBadIdent) {
    auto magic = valid_elf();
    magic[1] = 'e';
    EXPECT_REJECTED(magic, Error::Malformed, "elf: bad magic");
    auto cls = valid_elf();
    cls[4] = 1; // ELFCLASS32
    EXPECT_REJECTED(cls, Error::Unsupported, "elf: not ELFCLASS64");
    auto data = valid_elf();
    data[5] = 2; // ELFDATA2MSB
    EXPECT_REJECTED(data, Error::Unsupported, "elf: not little-endian");
    auto version = valid_elf();
    version[6] = 0;
    EXPECT_REJECTED(version, Error::Malformed, "elf: bad ELF version");
    auto e_version = valid_elf();
    poke<uint32_t>(e_version, 20, 2);
    EXPECT_REJECTED(e_version, Error::Malformed, "elf: bad ELF version");
}

TEST(Elf, RejectsWrongTypeOrMachine) {
    auto machine = valid_elf();
    poke<uint16_t>(machine, 18, 183); // EM_AARCH64
    EXPECT_REJECTED(machine, Error::Unsupported, "elf: not an x86_64 image");
    auto dyn = valid_elf();
    poke<uint16_t>(dyn, 16, 3); // ET_DYN
    EXPECT_REJECTED(dyn, Error::Unsupported, "elf: not an ET_EXEC executable");
    auto rel = valid_elf();
    poke<uint16_t>(rel, 16, 1); // ET_REL
    EXPECT_REJECTED(rel, Error::Unsupported, "elf: not an ET_EXEC executable");
}

TEST(Elf, RejectsBadHeaderSizes) {
    auto ehsize = valid_elf();
    poke<uint16_t>(ehsize, 52, 52);
    EXPECT_REJECTED(ehsize, Error::Malformed, "elf: bad e_ehsize");
    auto phentsize = valid_elf();
    poke<uint16_t>(phentsize, 54, 32);
    EXPECT_REJECTED(phentsize, Error::Malformed, "elf: bad e_phentsize");
    auto none = valid_elf();
    poke<uint16_t>(none, 56, 0);
    EXPECT_REJECTED(none, Error::Malformed, "elf: no program headers");
    auto xnum = valid_elf();
    poke<uint16_t>(xnum, 56, 0xffff);
    EXPECT_REJECTED(xnum, Error::Unsupported, "elf: extended program header numbering");
}

TEST(Elf, RejectsProgramHeadersPastTheEnd) {
    auto image = valid_elf();
    poke<uint64_t>(image, 32, image.size() - 56); // the second entry would run past the end
    EXPECT_REJECTED(image, Error::Malformed, "elf: program header table past the end of the file");
    auto far = valid_elf();
    poke<uint64_t>(far, 32, uint64_t{1} << 40);
    EXPECT_REJECTED(far, Error::Malformed, "elf: program header table past the end of the file");
    auto cut = valid_elf();
    cut.resize(64 + 56 + 10);
    EXPECT_REJECTED(cut, Error::Malformed, "elf: program header table past the end of the file");
}

TEST(Elf, RejectsProgramHeaderTableWrap) {
    // phnum * phentsize is at most 65534 * 56, but added to a huge e_phoff it wraps to a small
    // value that a naive bounds check would accept.
    auto image = valid_elf();
    poke<uint64_t>(image, 32, ~uint64_t{0} - 56);
    EXPECT_REJECTED(image, Error::Overflow, "elf: program header table extent wraps");
    poke<uint16_t>(image, 56, 0xfffe);
    poke<uint64_t>(image, 32, ~uint64_t{0} - 0xfffe * 56 + 100);
    EXPECT_REJECTED(image, Error::Overflow, "elf: program header table extent wraps");
}

TEST(Elf, RejectsSegmentDataPastTheEnd) {
    auto image = valid_elf();
    poke<uint64_t>(image, ph(1, P_FILESZ), image.size() - 0x2010 + 1);
    poke<uint64_t>(image, ph(1, P_MEMSZ), 0x10000);
    EXPECT_REJECTED(image, Error::Malformed, "elf: segment data runs past the end of the file");
    auto wrap = valid_elf();
    poke<uint64_t>(wrap, ph(1, P_OFFSET), ~uint64_t{0} - 0xf);
    EXPECT_REJECTED(wrap, Error::Overflow, "elf: segment p_offset + p_filesz wraps");
}

TEST(Elf, RejectsFileSizeAboveMemSize) {
    auto image = valid_elf();
    poke<uint64_t>(image, ph(1, P_MEMSZ), 0x1f);
    EXPECT_REJECTED(image, Error::Malformed, "elf: segment p_filesz exceeds p_memsz");
}

TEST(Elf, RejectsHugeMemSize) {
    // 2^47 bytes of BSS from 0x401010 end above the user half.
    auto image = valid_elf();
    poke<uint64_t>(image, ph(1, P_MEMSZ), uint64_t{1} << 47);
    EXPECT_REJECTED(image, Error::BadAddress, "elf: segment outside the user address range");
}

TEST(Elf, RejectsAddressWrap) {
    auto image = valid_elf();
    poke<uint64_t>(image, ph(1, P_MEMSZ), ~uint64_t{0} - 0x1000);
    EXPECT_REJECTED(image, Error::Overflow, "elf: segment p_vaddr + p_memsz wraps");
}

TEST(Elf, RejectsKernelHalfAndNullPage) {
    auto kernel = make_elf(0xffffffff80000010, {Phdr{PT_LOAD, R | X, 0x1000, 0xffffffff80000000,
                                                     0x80, 0x80}});
    EXPECT_REJECTED(kernel, Error::BadAddress, "elf: segment outside the user address range");
    // Straddling the top of the user half: starts below, ends above 0x0000800000000000.
    auto straddle = make_elf(0x7ffffffff010, {Phdr{PT_LOAD, R | X, 0x1000, 0x7ffffffff000,
                                                   0x80, 0x2000}});
    EXPECT_REJECTED(straddle, Error::BadAddress, "elf: segment outside the user address range");
    auto null_page = make_elf(0x10, {Phdr{PT_LOAD, R | X, 0x1000, 0, 0x80, 0x80}});
    EXPECT_REJECTED(null_page, Error::BadAddress, "elf: segment outside the user address range");
    // Exactly filling the top page of the user half is fine.
    auto top = make_elf(0x7ffffffff010, {Phdr{PT_LOAD, R | X, 0x1000, 0x7ffffffff000, 0x80,
                                              0x1000}});
    EXPECT_TRUE(lib::elf_parse(top).has_value());
}

TEST(Elf, UserRangeIsTheCallersWindow) {
    auto image = valid_elf();
    UserRange high{VirtAddr(0x401000), VirtAddr(0x800000)};
    EXPECT_EQ(parse_error(image, high).error, Error::BadAddress); // text at 0x400000 is below
    UserRange low{VirtAddr(0x1000), VirtAddr(0x403000)};
    EXPECT_EQ(parse_error(image, low).error, Error::BadAddress); // BSS ends at 0x403110
    UserRange exact{VirtAddr(0x400000), VirtAddr(0x404000)};
    EXPECT_TRUE(lib::elf_parse(image, exact).has_value());
    UserRange unaligned{VirtAddr(0x400010), VirtAddr(0x404000)};
    EXPECT_EQ(parse_error(image, unaligned).error, Error::InvalidArgument);
    UserRange empty{VirtAddr(0x404000), VirtAddr(0x404000)};
    EXPECT_EQ(parse_error(image, empty).error, Error::InvalidArgument);
}

TEST(Elf, RejectsOverlappingSegments) {
    // Byte-level overlap.
    auto bytes = make_elf(0x400010, {TEXT, Phdr{PT_LOAD, R, 0x1040, 0x400040, 0x10, 0x10}});
    EXPECT_REJECTED(bytes, Error::Malformed, "elf: segments overlap (at page granularity)");
    // Disjoint bytes, shared page: 0x400080.. and 0x400f00.. are both in page 0x400000.
    auto page = make_elf(0x400010, {TEXT, Phdr{PT_LOAD, R | W, 0x1f00, 0x400f00, 0x10, 0x10}});
    EXPECT_REJECTED(page, Error::Malformed, "elf: segments overlap (at page granularity)");
    // One segment entirely inside another, listed first.
    auto inside = make_elf(0x400010, {Phdr{PT_LOAD, R, 0x1000, 0x402000, 0, 0x100},
                                      Phdr{PT_LOAD, R | X, 0x1000, 0x400000, 0x80, 0x10000}});
    EXPECT_REJECTED(inside, Error::Malformed, "elf: segments overlap (at page granularity)");
    // Adjacent pages are fine.
    auto adjacent = make_elf(0x400010, {TEXT, Phdr{PT_LOAD, R, 0x1000, 0x401000, 0x10, 0x10}});
    EXPECT_TRUE(lib::elf_parse(adjacent).has_value());
}

TEST(Elf, RejectsWritableExecutable) {
    auto image = valid_elf();
    poke<uint32_t>(image, ph(0, P_FLAGS), R | W | X);
    EXPECT_REJECTED(image, Error::Unsupported, "elf: writable and executable segment (W^X)");
}

TEST(Elf, RejectsEntryOutsideExecutableSegment) {
    auto in_data = make_elf(0x401010, {TEXT, DATA});
    EXPECT_REJECTED(in_data, Error::Malformed,
                    "elf: entry point outside every executable segment");
    auto past_text = make_elf(0x400080, {TEXT, DATA}); // one past the end of text
    EXPECT_REJECTED(past_text, Error::Malformed,
                    "elf: entry point outside every executable segment");
    auto unmapped = make_elf(0x10000000, {TEXT, DATA});
    EXPECT_REJECTED(unmapped, Error::Malformed,
                    "elf: entry point outside every executable segment");
    auto last_byte = make_elf(0x40007f, {TEXT, DATA});
    EXPECT_TRUE(lib::elf_parse(last_byte).has_value());
}

TEST(Elf, RejectsBadAlignment) {
    auto npot = valid_elf();
    poke<uint64_t>(npot, ph(0, P_ALIGN), 0x3000);
    EXPECT_REJECTED(npot, Error::Malformed, "elf: segment p_align is not a power of two");
    auto incongruent = valid_elf();
    poke<uint64_t>(incongruent, ph(1, P_VADDR), 0x401020); // offset stays 0x2010
    EXPECT_REJECTED(incongruent, Error::Malformed, "elf: segment p_vaddr and p_offset disagree");
    auto byte_aligned = valid_elf();
    poke<uint64_t>(byte_aligned, ph(1, P_VADDR), 0x401020);
    poke<uint64_t>(byte_aligned, ph(1, P_ALIGN), 1);
    EXPECT_TRUE(lib::elf_parse(byte_aligned).has_value());
}

TEST(Elf, RejectsInterpreterAndTooManySegments) {
    auto interp = make_elf(0x400010, {Phdr{PT_INTERP, R, 0x1000, 0, 0x10, 0x10, 1}, TEXT});
    EXPECT_REJECTED(interp, Error::Unsupported, "elf: dynamically linked (PT_INTERP)");

    std::vector<Phdr> many{TEXT};
    for (uint64_t i = 1; i <= lib::ELF_MAX_SEGMENTS; ++i)
        many.push_back(Phdr{PT_LOAD, R, 0x1000, 0x400000 + i * 0x1000, 0x10, 0x10});
    EXPECT_REJECTED(make_elf(0x400010, many), Error::Unsupported,
                    "elf: too many PT_LOAD segments");
    many.pop_back();
    EXPECT_TRUE(lib::elf_parse(make_elf(0x400010, many)).has_value());
}

TEST(Elf, RejectsImageWithoutLoadableSegment) {
    auto image = make_elf(0x400010, {Phdr{PT_NOTE, R, 0x1000, 0, 0x10, 0x10, 4}});
    EXPECT_REJECTED(image, Error::Malformed, "elf: no loadable segment");
}

// The executable clang and lld built from tests/host/elf_fixture.c.
TEST(Elf, LoadsRealExecutable) {
    std::ifstream in(MNOS_ELF_FIXTURE, std::ios::binary);
    std::vector<uint8_t> image(std::istreambuf_iterator<char>(in), {});
    ASSERT_GT(image.size(), 64u);
    const char* reason = "";
    auto parsed = lib::elf_parse(image, {}, &reason);
    ASSERT_TRUE(parsed.has_value()) << reason;
    EXPECT_EQ(parsed->entry, VirtAddr(0x400000)); // -Ttext=0x400000 and _start is all of .text

    SimulatedAddressSpace as;
    ASSERT_TRUE(lib::elf_load(*parsed, image, as).has_value());
    const lib::LoadSegment* data = nullptr;
    for (const auto& s : parsed->loads()) {
        EXPECT_FALSE(s.flags.writable && s.flags.executable);
        for (uint64_t i = 0; i < s.file_size; ++i)
            ASSERT_EQ(as.byte(s.vaddr.value() + i), image[s.file_offset + i]);
        for (uint64_t a = s.vaddr.value() + s.file_size; a < s.page_end().value(); ++a)
            ASSERT_EQ(as.byte(a), 0);
        if (s.flags.writable)
            data = &s;
    }
    // .data holds `counter` (0x12345678) and .bss the 10000-byte `scratch`.
    ASSERT_NE(data, nullptr);
    EXPECT_GE(data->mem_size - data->file_size, 10000u);
    EXPECT_EQ(as.byte(data->vaddr.value()), 0x78);
    EXPECT_EQ(as.byte(data->vaddr.value() + 3), 0x12);

    // The read-only string is somewhere in the loaded image.
    std::string message = "MinimalOS loader fixture";
    bool found = false;
    for (const auto& s : parsed->loads())
        for (uint64_t a = s.vaddr.value(); !found && a + message.size() <= s.vaddr.value() +
                                                                            s.file_size;
             ++a) {
            std::string here;
            for (size_t i = 0; i < message.size(); ++i)
                here.push_back(static_cast<char>(*as.byte(a + i)));
            found = here == message;
        }
    EXPECT_TRUE(found);
}

// --- initial stack ---

namespace {

uint64_t word_at(const std::vector<uint8_t>& buf, uint64_t top, uint64_t addr) {
    uint64_t v;
    std::memcpy(&v, buf.data() + buf.size() - (top - addr), 8);
    return v;
}

std::string string_at(const std::vector<uint8_t>& buf, uint64_t top, uint64_t addr) {
    std::string s;
    for (size_t i = buf.size() - (top - addr); buf.at(i) != 0; ++i)
        s.push_back(static_cast<char>(buf[i]));
    return s;
}

} // namespace

TEST(InitialStack, LaysOutArgvEnvpAuxv) {
    const uint64_t top = 0x7ffffffff000;
    std::vector<uint8_t> buf(4096, 0xcc);
    const char* argv[] = {"/bin/init", "-v", ""};
    const char* envp[] = {"HOME=/"};
    lib::AuxEntry aux[] = {{lib::AT_PAGESZ, 4096}, {lib::AT_ENTRY, 0x400000}};
    auto r = lib::build_initial_stack(buf, VirtAddr(top), argv, envp, aux);
    ASSERT_TRUE(r.has_value());
    uint64_t sp = r->stack_pointer.value();
    EXPECT_EQ(sp % 16, 0u);
    EXPECT_EQ(top - sp, r->size);
    EXPECT_EQ(r->argc, 3u);

    EXPECT_EQ(word_at(buf, top, sp), 3u);
    EXPECT_EQ(r->argv.value(), sp + 8);
    EXPECT_EQ(string_at(buf, top, word_at(buf, top, sp + 8)), "/bin/init");
    EXPECT_EQ(string_at(buf, top, word_at(buf, top, sp + 16)), "-v");
    EXPECT_EQ(string_at(buf, top, word_at(buf, top, sp + 24)), "");
    EXPECT_EQ(word_at(buf, top, sp + 32), 0u);
    EXPECT_EQ(r->envp.value(), sp + 40);
    EXPECT_EQ(string_at(buf, top, word_at(buf, top, sp + 40)), "HOME=/");
    EXPECT_EQ(word_at(buf, top, sp + 48), 0u);
    EXPECT_EQ(r->auxv.value(), sp + 56);
    EXPECT_EQ(word_at(buf, top, sp + 56), lib::AT_PAGESZ);
    EXPECT_EQ(word_at(buf, top, sp + 64), 4096u);
    EXPECT_EQ(word_at(buf, top, sp + 72), lib::AT_ENTRY);
    EXPECT_EQ(word_at(buf, top, sp + 80), 0x400000u);
    EXPECT_EQ(word_at(buf, top, sp + 88), lib::AT_NULL);
    EXPECT_EQ(word_at(buf, top, sp + 96), 0u);

    // Every string pointer lies between the vectors and the top.
    for (uint64_t p : {word_at(buf, top, sp + 8), word_at(buf, top, sp + 40)}) {
        EXPECT_GE(p, sp + 104);
        EXPECT_LT(p, top);
    }
    // Below the layout the buffer is untouched; the layout itself has no stale bytes.
    EXPECT_EQ(buf[buf.size() - r->size - 1], 0xcc);
    for (size_t i = buf.size() - r->size; i < buf.size(); ++i)
        EXPECT_NE(buf[i], 0xcc) << i;
}

TEST(InitialStack, AlignsForEveryStringLength) {
    // Whatever the strings' total length, RSP ends up 16-byte aligned and the layout in bounds.
    std::string arg;
    for (int n = 0; n < 40; ++n, arg.push_back('a')) {
        std::vector<uint8_t> buf(512);
        const char* argv[] = {arg.c_str()};
        auto r = lib::build_initial_stack(buf, VirtAddr(0x10000), argv, {});
        ASSERT_TRUE(r.has_value()) << n;
        EXPECT_EQ(r->stack_pointer.value() % 16, 0u) << n;
        EXPECT_LE(r->size, buf.size());
        EXPECT_EQ(string_at(buf, 0x10000, word_at(buf, 0x10000, r->argv.value())), arg);
    }
}

TEST(InitialStack, EmptyArgvStillHasTerminators) {
    std::vector<uint8_t> buf(64, 0xcc);
    auto r = lib::build_initial_stack(buf, VirtAddr(0x10000), {}, {});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->size, 48u); // argc, NULL, NULL, AT_NULL pair = 40 -> 48
    EXPECT_EQ(word_at(buf, 0x10000, r->stack_pointer.value()), 0u);
}

TEST(InitialStack, RejectsBadInput) {
    std::vector<uint8_t> small(40);
    EXPECT_EQ(lib::build_initial_stack(small, VirtAddr(0x10000), {}, {}).error(),
              Error::Overflow);
    std::vector<uint8_t> buf(256);
    EXPECT_EQ(lib::build_initial_stack(buf, VirtAddr(0x10008), {}, {}).error(),
              Error::InvalidArgument);
    const char* null_arg[] = {"a", nullptr};
    EXPECT_EQ(lib::build_initial_stack(buf, VirtAddr(0x10000), null_arg, {}).error(),
              Error::InvalidArgument);
    lib::AuxEntry early_null[] = {{lib::AT_NULL, 0}};
    EXPECT_EQ(lib::build_initial_stack(buf, VirtAddr(0x10000), {}, {}, early_null).error(),
              Error::InvalidArgument);
    // The layout would reach below address 0.
    EXPECT_EQ(lib::build_initial_stack(buf, VirtAddr(0x20), {}, {}).error(), Error::Overflow);
    std::string long_arg(300, 'x');
    const char* argv[] = {long_arg.c_str()};
    EXPECT_EQ(lib::build_initial_stack(buf, VirtAddr(0x10000), argv, {}).error(),
              Error::Overflow);
}
