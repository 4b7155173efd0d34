// Reader for PC Screen Fonts (PSF1 and PSF2), the console fonts Debian ships in kbd and
// console-setup. Used at build time to turn such a font into the kernel's 8x16 glyph table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/result.h"

namespace lib::psf {

struct Font {
    uint32_t glyph_count = 0;
    uint32_t width = 0;          // pixels; each row takes (width + 7) / 8 bytes
    uint32_t height = 0;         // rows per glyph
    uint32_t bytes_per_glyph = 0;
    std::span<const uint8_t> glyphs;  // glyph_count * bytes_per_glyph bytes
    std::span<const uint8_t> unicode; // the Unicode table, empty when the font has none
    bool psf2 = false;

    std::span<const uint8_t> glyph(uint32_t index) const {
        return glyphs.subspan(size_t(index) * bytes_per_glyph, bytes_per_glyph);
    }
};

// Parses and validates a font file (already decompressed). Error::Malformed on bad magic,
// impossible sizes, or glyph data running past the end.
Result<Font> parse(std::span<const uint8_t> file);

// The glyph index the font's Unicode table gives for `codepoint`; without a table, the
// codepoint itself when it is a valid index. NotFound when the font cannot draw it.
Result<uint32_t> glyph_for(const Font& font, uint32_t codepoint);

} // namespace lib::psf
