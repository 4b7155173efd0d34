"""Reads the text off a QEMU screendump (a binary PPM) by matching each 8x16 character cell
against the glyphs of the PSF font the build draws with, so a boot test can check what the
screen service drew. A cell matches only exactly (foreground: any pixel that is not the
background black); one that matches no glyph (the cursor's) reads as '?'."""
import gzip


def _unicode_entries(data, psf2):
    """The Unicode table: per glyph, the codepoints it draws (sequences are skipped)."""
    entries, glyph, i = {}, 0, 0
    if psf2:
        while i < len(data):
            end = data.index(b"\xff", i) if b"\xff" in data[i:] else len(data)
            single = data[i:end].split(b"\xfe")[0]
            for ch in single.decode("utf-8", "replace"):
                entries.setdefault(ord(ch), glyph)
            glyph, i = glyph + 1, end + 1
    else:
        for j in range(0, len(data) - 1, 2):
            value = data[j] | data[j + 1] << 8
            if value == 0xFFFF:
                glyph += 1
            elif value == 0xFFFE:
                continue
            else:
                entries.setdefault(value, glyph)
    return entries


def load_font(path):
    """{glyph bitmap (bytes, one per row): character} for printable ASCII, and (width, height)."""
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[:2] == b"\x36\x04":
        mode, size = raw[2], raw[3]
        count, width, height, offset, psf2 = 512 if mode & 1 else 256, 8, size, 4, False
        has_table = bool(mode & 6)
    elif raw[:4] == b"\x72\xb5\x4a\x86":
        words = [int.from_bytes(raw[i:i + 4], "little") for i in range(4, 32, 4)]
        _, offset, flags, count, size, height, width = words
        psf2, has_table = True, bool(flags & 1)
    else:
        raise ValueError(f"{path}: not a PSF font")
    if width != 8:
        raise ValueError(f"{path}: {width}-pixel-wide glyphs, the screen draws 8")
    glyphs = [raw[offset + g * size:offset + (g + 1) * size] for g in range(count)]
    table = _unicode_entries(raw[offset + count * size:], psf2) if has_table else {}
    bitmaps = {}
    for cp in range(0x21, 0x7f):  # space is the blank cell: handled apart
        index = table.get(cp, cp if not has_table else None)
        if index is not None and index < count:
            bitmaps.setdefault(glyphs[index], chr(cp))
    return bitmaps, height


def read_ppm(path):
    data = open(path, "rb").read()
    fields, i = [], 0
    while len(fields) < 4:  # magic, width, height, maximum; '#' comments allowed
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            i = data.index(b"\n", i)
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[i + 1:i + 1 + width * height * 3]


def screen_lines(ppm_path, font_path):
    """The screen's text, one string per row of cells, trailing blanks stripped."""
    bitmaps, cell_height = load_font(font_path)
    width, height, pixels = read_ppm(ppm_path)
    lines = []
    for row in range(height // cell_height):
        text = []
        for column in range(width // 8):
            cell = bytearray()
            for y in range(row * cell_height, (row + 1) * cell_height):
                start = (y * width + column * 8) * 3
                strip = pixels[start:start + 24]
                bits = 0
                for x in range(8):
                    if strip[3 * x:3 * x + 3] != b"\0\0\0":
                        bits |= 0x80 >> x
                cell.append(bits)
            cell = bytes(cell)
            text.append(" " if not any(cell) else bitmaps.get(cell, "?"))
        lines.append("".join(text).rstrip())
    return lines
