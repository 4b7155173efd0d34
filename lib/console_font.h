// The console font: 8x16 glyphs indexed by Latin-1 codepoint. The table is generated at build
// time from a PSF font that Debian ships (see lib/CMakeLists.txt and tools/psf2cpp); the
// kernel's framebuffer console and the screen service (user/drivers/fbcon) draw with it.
#pragma once

#include <cstdint>

namespace lib::font {

inline constexpr int GLYPH_WIDTH = 8;
inline constexpr int GLYPH_HEIGHT = 16;
inline constexpr int GLYPH_COUNT = 256;

// Row r of glyph c: bit 7 is the leftmost pixel.
extern const uint8_t glyphs[GLYPH_COUNT][GLYPH_HEIGHT];

} // namespace lib::font
