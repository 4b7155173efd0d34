#include "lib/psf.h"
#include "lib/bytes.h"

namespace lib::psf {

namespace {

constexpr uint8_t PSF1_MAGIC[2] = {0x36, 0x04};
constexpr uint8_t PSF1_MODE_512 = 0x01;
constexpr uint8_t PSF1_MODE_HAS_TABLE = 0x02;
constexpr uint8_t PSF1_MODE_HAS_SEQUENCES = 0x04;
constexpr uint8_t PSF2_MAGIC[4] = {0x72, 0xb5, 0x4a, 0x86};
constexpr uint32_t PSF2_HAS_UNICODE_TABLE = 0x01;
constexpr uint16_t PSF1_SEPARATOR = 0xffff, PSF1_SEQUENCE_START = 0xfffe;
constexpr uint8_t PSF2_SEPARATOR = 0xff, PSF2_SEQUENCE_START = 0xfe;

Result<Font> parse_psf1(std::span<const uint8_t> file) {
    if (file.size() < 4)
        return fail(Error::Malformed);
    uint8_t mode = file[2];
    Font font;
    font.glyph_count = (mode & PSF1_MODE_512) ? 512 : 256;
    font.width = 8;
    font.height = file[3];
    font.bytes_per_glyph = font.height;
    size_t glyph_bytes = size_t(font.glyph_count) * font.bytes_per_glyph;
    if (font.height == 0 || file.size() - 4 < glyph_bytes)
        return fail(Error::Malformed);
    font.glyphs = file.subspan(4, glyph_bytes);
    if (mode & (PSF1_MODE_HAS_TABLE | PSF1_MODE_HAS_SEQUENCES))
        font.unicode = file.subspan(4 + glyph_bytes);
    return font;
}

Result<Font> parse_psf2(std::span<const uint8_t> file) {
    if (file.size() < 32)
        return fail(Error::Malformed);
    uint32_t header_size = read_le<uint32_t>(file, 8);
    uint32_t flags = read_le<uint32_t>(file, 12);
    Font font;
    font.psf2 = true;
    font.glyph_count = read_le<uint32_t>(file, 16);
    font.bytes_per_glyph = read_le<uint32_t>(file, 20);
    font.height = read_le<uint32_t>(file, 24);
    font.width = read_le<uint32_t>(file, 28);
    if (header_size < 32 || header_size > file.size() || font.glyph_count == 0 ||
        font.width == 0 || font.height == 0 || font.width > 64 || font.height > 64)
        return fail(Error::Malformed);
    if (font.bytes_per_glyph != (font.width + 7) / 8 * font.height)
        return fail(Error::Malformed);
    // Both factors are at most 2^32, so the product fits 64 bits; compare before slicing.
    uint64_t glyph_bytes = uint64_t(font.glyph_count) * font.bytes_per_glyph;
    if (glyph_bytes > file.size() - header_size)
        return fail(Error::Malformed);
    font.glyphs = file.subspan(header_size, size_t(glyph_bytes));
    if (flags & PSF2_HAS_UNICODE_TABLE)
        font.unicode = file.subspan(header_size + size_t(glyph_bytes));
    return font;
}

// Decodes one UTF-8 sequence at `pos`; advances `pos`. Returns 0xfffd for broken input so a
// bad table entry maps nothing rather than something wrong.
uint32_t decode_utf8(std::span<const uint8_t> s, size_t& pos) {
    uint8_t lead = s[pos++];
    int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xe ? 2 : (lead >> 3) == 0x1e ? 3 : -1;
    if (extra < 0)
        return 0xfffd;
    uint32_t cp = extra == 0 ? lead : lead & (0x3f >> extra);
    for (int i = 0; i < extra; ++i) {
        if (pos >= s.size() || (s[pos] & 0xc0) != 0x80)
            return 0xfffd;
        cp = (cp << 6) | (s[pos++] & 0x3f);
    }
    return cp;
}

} // namespace

Result<Font> parse(std::span<const uint8_t> file) {
    if (file.size() >= 2 && file[0] == PSF1_MAGIC[0] && file[1] == PSF1_MAGIC[1])
        return parse_psf1(file);
    if (file.size() >= 4 && file[0] == PSF2_MAGIC[0] && file[1] == PSF2_MAGIC[1] &&
        file[2] == PSF2_MAGIC[2] && file[3] == PSF2_MAGIC[3])
        return parse_psf2(file);
    return fail(Error::Malformed);
}

Result<uint32_t> glyph_for(const Font& font, uint32_t codepoint) {
    if (font.unicode.empty()) {
        if (codepoint < font.glyph_count)
            return codepoint;
        return fail(Error::NotFound);
    }
    // The table lists, glyph by glyph, the codepoints each glyph draws, then a separator.
    // After a sequence-start marker come multi-codepoint sequences, which a one-codepoint
    // lookup skips.
    const auto& table = font.unicode;
    uint32_t glyph = 0;
    size_t pos = 0;
    bool in_sequences = false;
    while (pos < table.size() && glyph < font.glyph_count) {
        if (!font.psf2) {
            if (pos + 2 > table.size())
                break;
            uint16_t value = uint16_t(table[pos] | (table[pos + 1] << 8));
            pos += 2;
            if (value == PSF1_SEPARATOR) {
                ++glyph;
                in_sequences = false;
            } else if (value == PSF1_SEQUENCE_START) {
                in_sequences = true;
            } else if (!in_sequences && value == codepoint) {
                return glyph;
            }
        } else {
            uint8_t byte = table[pos];
            if (byte == PSF2_SEPARATOR) {
                ++pos;
                ++glyph;
                in_sequences = false;
            } else if (byte == PSF2_SEQUENCE_START) {
                ++pos;
                in_sequences = true;
            } else {
                uint32_t cp = decode_utf8(table, pos);
                if (!in_sequences && cp == codepoint)
                    return glyph;
            }
        }
    }
    return fail(Error::NotFound);
}

} // namespace lib::psf
