#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "lib/tar.h"

using lib::Error;
using lib::TarEntry;
using lib::TarReader;
using lib::TarType;

namespace {

// A minimal USTAR writer, independent of the reader: fields are written with snprintf the way
// POSIX describes them, so a reader bug cannot be mirrored by a builder bug.
class TarBuilder {
public:
    // Appends one entry and returns the offset of its header.
    size_t add(const std::string& name, const std::string& data, char typeflag = '0',
               const std::string& prefix = "") {
        size_t at = m_bytes.size();
        m_bytes.resize(at + 512, 0);
        uint8_t* h = m_bytes.data() + at;
        std::memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
        octal(h + 100, 8, 0644);
        octal(h + 108, 8, 1000);
        octal(h + 116, 8, 1000);
        octal(h + 124, 12, data.size());
        octal(h + 136, 12, 1700000000);
        h[156] = static_cast<uint8_t>(typeflag);
        std::memcpy(h + 257, "ustar", 6); // with its NUL
        std::memcpy(h + 263, "00", 2);
        std::memcpy(h + 265, "root", 4);
        std::memcpy(h + 297, "root", 4);
        octal(h + 329, 8, 0);
        octal(h + 337, 8, 0);
        std::memcpy(h + 345, prefix.data(), std::min<size_t>(prefix.size(), 155));
        fix_checksum(at);
        m_bytes.insert(m_bytes.end(), data.begin(), data.end());
        m_bytes.resize((m_bytes.size() + 511) / 512 * 512, 0);
        return at;
    }

    // Recomputes the checksum of the header at `at` after a test edited it.
    void fix_checksum(size_t at) {
        uint8_t* h = m_bytes.data() + at;
        std::memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (size_t i = 0; i < 512; ++i)
            sum += h[i];
        std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", sum); // NUL after 6 digits
        h[155] = ' ';
    }

    void finish(size_t zero_blocks = 2) { m_bytes.resize(m_bytes.size() + 512 * zero_blocks, 0); }

    std::vector<uint8_t>& bytes() { return m_bytes; }

private:
    static void octal(uint8_t* field, size_t width, unsigned long long value) {
        // width-1 digits, zero-padded, then the NUL snprintf writes.
        char buf[32];
        std::snprintf(buf, sizeof buf, "%0*llo", static_cast<int>(width - 1), value);
        std::memcpy(field, buf, width);
    }

    std::vector<uint8_t> m_bytes;
};

std::vector<uint8_t> sample_archive() {
    TarBuilder b;
    b.add("bin/", "", '5');
    b.add("bin/init", "init program bytes");
    b.add("etc/motd", std::string(1000, 'm'));
    b.add("bin/sh", "", '2'); // a symlink: listed, not openable
    b.finish();
    return b.bytes();
}

std::string as_string(std::span<const uint8_t> s) { return std::string(s.begin(), s.end()); }

// Runs the reader over `bytes` and returns the error with its reason, or fails the test.
std::pair<Error, std::string> first_error(const std::vector<uint8_t>& bytes) {
    const char* reason = "";
    auto r = lib::tar_validate(bytes, &reason);
    EXPECT_FALSE(r.has_value()) << "archive unexpectedly valid";
    if (r)
        return {Error::InvalidArgument, ""};
    return {r.error(), reason};
}

} // namespace

TEST(Tar, IteratesAllEntriesInOrder) {
    auto bytes = sample_archive();
    TarReader reader(bytes);
    std::vector<std::string> names;
    std::vector<TarType> types;
    for (;;) {
        auto e = reader.next();
        ASSERT_TRUE(e.has_value()) << reader.reason();
        if (!*e)
            break;
        names.emplace_back((*e)->path);
        EXPECT_EQ((*e)->path_length, names.back().size());
        types.push_back((*e)->type);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"bin/", "bin/init", "etc/motd", "bin/sh"}));
    EXPECT_EQ(types, (std::vector<TarType>{TarType::Directory, TarType::File, TarType::File,
                                           TarType::Other}));
    // Past the end it stays at the end.
    auto again = reader.next();
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(again->has_value());
    EXPECT_EQ(lib::tar_validate(bytes).value(), 4u);
}

TEST(Tar, OpensFilesByPath) {
    auto bytes = sample_archive();
    auto init = lib::tar_open(bytes, "bin/init");
    ASSERT_TRUE(init.has_value());
    EXPECT_EQ(as_string(*init), "init program bytes");
    auto motd = lib::tar_open(bytes, "./etc/motd");
    ASSERT_TRUE(motd.has_value());
    EXPECT_EQ(as_string(*motd), std::string(1000, 'm'));
    auto entry = lib::tar_find(bytes, "etc/motd");
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->mode, 0644u);
    EXPECT_EQ(entry->header_offset, 3u * 512);
}

TEST(Tar, LookupMissesAndNonFiles) {
    auto bytes = sample_archive();
    const char* reason = "";
    auto missing = lib::tar_open(bytes, "bin/ini", &reason);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error(), Error::NotFound);
    EXPECT_STREQ(reason, "tar: no such path");

    auto dir = lib::tar_open(bytes, "bin");
    ASSERT_FALSE(dir.has_value());
    EXPECT_EQ(dir.error(), Error::InvalidArgument);
    auto dir_entry = lib::tar_find(bytes, "bin");
    ASSERT_TRUE(dir_entry.has_value());
    EXPECT_EQ(dir_entry->type, TarType::Directory);

    auto link = lib::tar_open(bytes, "bin/sh");
    ASSERT_FALSE(link.has_value());
    EXPECT_EQ(link.error(), Error::InvalidArgument);
    EXPECT_EQ(lib::tar_find(bytes, nullptr).error(), Error::InvalidArgument);
}

// The archive as a tree (tar_node, tar_child): "etc" exists only as the prefix of etc/motd.
TEST(Tar, NodesAndChildrenFormATree) {
    auto bytes = sample_archive();
    auto root = lib::tar_node(bytes, "");
    ASSERT_TRUE(root.has_value());
    EXPECT_TRUE(root->directory);
    auto etc = lib::tar_node(bytes, "etc");
    ASSERT_TRUE(etc.has_value());
    EXPECT_TRUE(etc->directory);
    auto init = lib::tar_node(bytes, "bin/init");
    ASSERT_TRUE(init.has_value());
    EXPECT_FALSE(init->directory);
    EXPECT_EQ(as_string(init->data), "init program bytes");
    EXPECT_EQ(lib::tar_node(bytes, "bi").error(), Error::NotFound);
    EXPECT_EQ(lib::tar_node(bytes, "bin/init/x").error(), Error::NotFound);

    auto names_in = [&](const char* dir) {
        std::vector<std::string> names;
        char name[lib::TAR_MAX_PATH + 1];
        for (size_t i = 0;; ++i) {
            auto child = lib::tar_child(bytes, dir, i, name);
            if (!child) {
                EXPECT_EQ(child.error(), Error::NotFound);
                break;
            }
            names.push_back(std::string(name) + (child->directory ? "/" : ""));
        }
        return names;
    };
    EXPECT_EQ(names_in(""), (std::vector<std::string>{"bin/", "etc/"})); // once each
    EXPECT_EQ(names_in("bin"), (std::vector<std::string>{"init", "sh"}));
    EXPECT_EQ(names_in("etc"), (std::vector<std::string>{"motd"}));
    EXPECT_TRUE(names_in("bin/init").empty());
    char name[lib::TAR_MAX_PATH + 1];
    EXPECT_EQ(lib::tar_child(bytes, "etc", 0, name)->size, 1000u);
}

TEST(Tar, PrefixIsJoinedWithSlash) {
    TarBuilder b;
    std::string prefix(155, 'p');  // exactly fills the prefix field: no NUL
    std::string name(100, 'n');    // exactly fills the name field: no NUL
    b.add(name, "long", '0', prefix);
    b.finish();
    auto full = prefix + "/" + name;
    auto e = lib::tar_find(b.bytes(), full.c_str());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->path_length, lib::TAR_MAX_PATH);
    EXPECT_EQ(std::string(e->path), full);
    EXPECT_EQ(as_string(e->data), "long");
}

TEST(Tar, EmptyArchiveAndEndVariants) {
    std::vector<uint8_t> two_zero(1024, 0);
    EXPECT_EQ(lib::tar_validate(two_zero).value(), 0u);

    // One zero block, then the end of the data: accepted.
    TarBuilder one;
    one.add("a", "x");
    one.finish(1);
    EXPECT_EQ(lib::tar_validate(one.bytes()).value(), 1u);

    // Garbage after the two end blocks is ignored.
    TarBuilder trailing;
    trailing.add("a", "x");
    trailing.finish(2);
    trailing.bytes().resize(trailing.bytes().size() + 700, 0xee);
    EXPECT_EQ(lib::tar_validate(trailing.bytes()).value(), 1u);
}

TEST(Tar, SignedChecksumVariantAccepted) {
    TarBuilder b;
    b.add("caf\xc3\xa9", "x"); // bytes >= 0x80 make the signed and unsigned sums differ
    b.finish();
    uint8_t* h = b.bytes().data();
    std::memset(h + 148, ' ', 8);
    int sum = 0;
    for (size_t i = 0; i < 512; ++i)
        sum += static_cast<int8_t>(h[i]);
    std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", sum);
    h[155] = ' ';
    EXPECT_TRUE(lib::tar_validate(b.bytes()).has_value());
    h[150] ^= 1; // and a wrong value still fails
    EXPECT_EQ(first_error(b.bytes()).first, Error::Malformed);
}

TEST(Tar, RejectsBadChecksum) {
    auto bytes = sample_archive();
    bytes[512 + 0] ^= 0x01; // flips a name byte of the second header, checksum unchanged
    auto [error, reason] = first_error(bytes);
    EXPECT_EQ(error, Error::Malformed);
    EXPECT_EQ(reason, "tar: bad header checksum");
    // A lookup of a later entry also fails rather than skipping the corrupt header.
    EXPECT_EQ(lib::tar_open(bytes, "etc/motd").error(), Error::Malformed);
}

TEST(Tar, RejectsNonOctalChecksum) {
    auto bytes = sample_archive();
    bytes[148] = '9';
    EXPECT_EQ(first_error(bytes).second, "tar: checksum field is not an octal number");
}

TEST(Tar, RejectsSizePastTheEnd) {
    TarBuilder b;
    b.add("big", "0123456789");
    b.finish(0); // no end blocks: the data padding is the last block
    auto& bytes = b.bytes();
    std::snprintf(reinterpret_cast<char*>(bytes.data() + 124), 12, "%011o", 513);
    b.fix_checksum(0);
    auto [error, reason] = first_error(bytes);
    EXPECT_EQ(error, Error::Malformed);
    EXPECT_EQ(reason, "tar: entry data runs past the end of the archive");
}

TEST(Tar, RejectsPaddingPastTheEnd) {
    // The data itself fits, but its padding to 512 does not: the archive was cut short.
    TarBuilder b;
    b.add("f", "abc");
    auto& bytes = b.bytes();
    bytes.resize(512 + 3);
    EXPECT_EQ(first_error(bytes).second, "tar: entry data runs past the end of the archive");
}

TEST(Tar, RejectsHugeSize) {
    TarBuilder b;
    b.add("huge", "x");
    b.finish();
    auto& bytes = b.bytes();
    std::memcpy(bytes.data() + 124, "77777777777", 11); // 8 GiB - 1
    b.fix_checksum(0);
    EXPECT_EQ(first_error(bytes).second, "tar: entry data runs past the end of the archive");
}

TEST(Tar, RejectsNonOctalSize) {
    for (const char* bad : {"0000000001x", "00000008000", "           ", "-0000000001"}) {
        TarBuilder b;
        b.add("f", "x");
        b.finish();
        std::memcpy(b.bytes().data() + 124, bad, 11);
        b.fix_checksum(0);
        auto [error, reason] = first_error(b.bytes());
        EXPECT_EQ(error, Error::Malformed) << bad;
        EXPECT_EQ(reason, "tar: mode or size is not an octal number") << bad;
    }
}

TEST(Tar, RejectsUnterminatedOrGarbledNumbers) {
    TarBuilder b;
    b.add("f", "x");
    b.finish();
    std::memcpy(b.bytes().data() + 124, "000000000001", 12); // 12 digits, no terminator
    b.fix_checksum(0);
    EXPECT_EQ(first_error(b.bytes()).second, "tar: mode or size is not an octal number");

    TarBuilder c;
    c.add("f", "x");
    c.finish();
    std::memcpy(c.bytes().data() + 136, "0000 000001\0", 12); // digits after the terminator
    c.fix_checksum(0);
    EXPECT_EQ(first_error(c.bytes()).second, "tar: malformed numeric field");

    TarBuilder d;
    d.add("f", "x");
    d.finish();
    d.bytes()[124] = 0x80; // GNU base-256 size
    d.fix_checksum(0);
    EXPECT_EQ(first_error(d.bytes()).second, "tar: mode or size is not an octal number");
}

TEST(Tar, LeadingSpacesInNumbersAccepted) {
    TarBuilder b;
    b.add("f", "xy");
    b.finish();
    std::memcpy(b.bytes().data() + 124, "          2 ", 12);
    b.fix_checksum(0);
    auto data = lib::tar_open(b.bytes(), "f");
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(as_string(*data), "xy");
}

TEST(Tar, NameWithoutTerminatorDoesNotRunIntoModeField) {
    // A 100-byte name is legal and must end at the field boundary, not at mode's NUL.
    TarBuilder b;
    b.add(std::string(100, 'a'), "x");
    b.finish();
    auto e = lib::tar_find(b.bytes(), std::string(100, 'a').c_str());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->path_length, 100u);
}

TEST(Tar, RejectsEmptyName) {
    TarBuilder b;
    b.add("x", "x");
    b.finish();
    b.bytes()[0] = 0;
    b.fix_checksum(0);
    EXPECT_EQ(first_error(b.bytes()).second, "tar: empty name");
}

TEST(Tar, RejectsTruncatedHeader) {
    auto bytes = sample_archive();
    bytes.resize(512 + 300); // the second header is cut
    EXPECT_EQ(first_error(bytes).second, "tar: truncated header");
    std::vector<uint8_t> tiny(100, 0);
    EXPECT_EQ(first_error(tiny).second, "tar: truncated header");
}

TEST(Tar, RejectsMissingEndBlocks) {
    TarBuilder b;
    b.add("f", "x");
    EXPECT_EQ(first_error(b.bytes()).second,
              "tar: archive ends without the end-of-archive blocks");
    std::vector<uint8_t> empty;
    EXPECT_EQ(first_error(empty).first, Error::Malformed);
}

TEST(Tar, RejectsLoneZeroBlockBeforeMoreHeaders) {
    TarBuilder b;
    b.add("a", "x");
    b.finish(1);
    b.add("b", "y");
    b.finish();
    EXPECT_EQ(first_error(b.bytes()).second, "tar: lone zero block followed by more headers");
}

TEST(Tar, RejectsNonUstarMagic) {
    TarBuilder b;
    b.add("f", "x");
    b.finish();
    std::memcpy(b.bytes().data() + 257, "ustaR", 5);
    b.fix_checksum(0);
    EXPECT_EQ(first_error(b.bytes()).second, "tar: not a USTAR header");
}

TEST(Tar, ErrorsAreSticky) {
    auto bytes = sample_archive();
    bytes[3 * 512 + 1] ^= 0x01; // the third header (etc/motd)
    TarReader reader(bytes);
    ASSERT_TRUE(reader.next().has_value());
    ASSERT_TRUE(reader.next().has_value());
    EXPECT_FALSE(reader.next().has_value());
    EXPECT_FALSE(reader.next().has_value());
    EXPECT_STREQ(reader.reason(), "tar: bad header checksum");
}

// Archives written by GNU tar at build time (tests/host/CMakeLists.txt): the reader must accept
// what the real tool produces, in both its POSIX ustar and its default GNU format.
std::vector<uint8_t> read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void check_fixture(const char* path) {
    auto bytes = read_file(path);
    ASSERT_FALSE(bytes.empty()) << path;
    const char* reason = "";
    auto count = lib::tar_validate(bytes, &reason);
    ASSERT_TRUE(count.has_value()) << reason;
    EXPECT_GE(*count, 4u);
    auto hello = lib::tar_open(bytes, "bin/hello.txt");
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ(as_string(*hello), "hello from the initrd\n");
    auto big = lib::tar_open(bytes, "data/big.bin");
    ASSERT_TRUE(big.has_value());
    EXPECT_EQ(big->size(), 5000u);
    auto dir = lib::tar_find(bytes, "data");
    ASSERT_TRUE(dir.has_value());
    EXPECT_EQ(dir->type, TarType::Directory);
}

TEST(Tar, RealUstarArchive) { check_fixture(MNOS_TAR_FIXTURE_USTAR); }
TEST(Tar, RealGnuArchive) { check_fixture(MNOS_TAR_FIXTURE_GNU); }
