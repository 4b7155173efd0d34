#!/usr/bin/env python3
"""Boots MinimalOS (not in test mode, so it idles after booting) with init=none, since from
init's start the framebuffer is the screen service's (docs/console.md; boot/keyboard-screen-*
test that), waits for "boot complete" on the serial log, takes a QEMU screendump through the monitor, and checks that the console drew
text: the top text rows must hold many pixels in the log's foreground colours, and the screen
must not be one colour."""
import argparse
import os
import sys
import time

from qemu_session import QemuSession

LIGHT_GREY = (0xaa, 0xaa, 0xaa)  # the console's normal foreground
CYAN = (0x00, 0xaa, 0xaa)        # phase headings
GLYPH_HEIGHT = 16


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval, separated by whitespace
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6":
        raise ValueError("not a binary PPM")
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iso", required=True)
    args = p.parse_args()
    with QemuSession(args.iso, extra=("--cmdline", "init=none")) as qemu:
        if not qemu.wait_for("boot complete"):
            print("FAIL: no 'boot complete' on the serial log")
            return 1
        shot = qemu.path("screen.ppm")
        qemu.monitor(f"screendump {shot}")
        for _ in range(50):
            if os.path.exists(shot) and os.path.getsize(shot) > 0:
                break
            time.sleep(0.1)
        width, height, pixels = read_ppm(shot)
    text_rows = min(12, height // GLYPH_HEIGHT)
    counts = {LIGHT_GREY: 0, CYAN: 0}
    colours = set()
    for y in range(text_rows * GLYPH_HEIGHT):
        row = pixels[y * width * 3:(y + 1) * width * 3]
        for x in range(0, width * 3, 3):
            rgb = tuple(row[x:x + 3])
            colours.add(rgb)
            if rgb in counts:
                counts[rgb] += 1
    print(f"screen {width}x{height}: {counts[LIGHT_GREY]} light-grey and {counts[CYAN]} cyan "
          f"pixels in the first {text_rows} text rows, {len(colours)} distinct colours")
    ok = counts[LIGHT_GREY] > 2000 and counts[CYAN] > 200 and len(colours) >= 3
    print("PASS" if ok else "FAIL: the console did not draw the boot log")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
