#!/usr/bin/env python3
"""QEMU's own view of the booted kernel's page tables: `info tlb` lists every mapped page with
its flags (X = no-execute, U = user, W = writable; QEMU prints them in the order
X G PSE D A PCD PWT U W), `info mem` the regions with their protections. No page may be
writable and executable, the null page and the boot identity map must be gone, and the
kernel's .text must be mapped read-only and executable.

By the time the monitor looks, init and its services are running, so the CPU's CR3 may be a
user process's: its lower half then holds that program's pages. Those carry the U bit; a
leftover of the boot identity map would be a supervisor page, and that is what is refused."""
import argparse
import re
import subprocess
import sys

from qemu_session import QemuSession


def text_range(kernel):
    out = subprocess.run(["llvm-readelf-22", "-S", "-W", kernel], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"\.text\s+PROGBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", out)
    start, size = int(m.group(1), 16), int(m.group(2), 16)
    return start, start + size


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iso", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--firmware", default="bios")
    args = p.parse_args()
    text_start, text_end = text_range(args.kernel)
    with QemuSession(args.iso, firmware=args.firmware) as qemu:
        if not qemu.wait_for("boot complete"):
            print("FAIL: no 'boot complete' on the serial log")
            return 1
        tlb = qemu.monitor("info tlb", settle=3.0)
        mem = qemu.monitor("info mem")
    pages = []
    for line in tlb:
        m = re.match(r"^([0-9a-f]+): ([0-9a-f]+) ([A-Z-]{9})$", line.strip())
        if m:
            pages.append((int(m.group(1), 16), m.group(3)))
    problems = []
    if len(pages) < 100:
        problems.append(f"info tlb listed only {len(pages)} pages")
    wx = [hex(v) for v, flags in pages if "W" in flags and "X" not in flags]
    if wx:
        problems.append(f"{len(wx)} writable+executable pages, e.g. {wx[:5]}")
    low = [(v, flags) for v, flags in pages if v < 0x0000800000000000]
    supervisor_low = [hex(v) for v, flags in low if flags[7] != "U"]
    if supervisor_low:
        problems.append(f"supervisor pages in the user half (identity map left), "
                        f"e.g. {supervisor_low[:5]}")
    if any(v == 0 for v, _ in low):
        problems.append("the null page is mapped")
    text = [flags for v, flags in pages if text_start <= v < text_end]
    if not text or any("W" in f or "X" in f for f in text):
        problems.append(f".text is not mapped read-only and executable: {text[:3]}")
    text_regions = [line for line in mem if line.startswith(f"{text_start:016x}-")]
    if not text_regions or not text_regions[0].endswith("-r-"):
        problems.append(f"info mem does not show .text as -r-: {text_regions}")
    print(f"{len(pages)} pages in info tlb; .text {text_start:#x}-{text_end:#x}")
    print("\n".join(mem))
    for problem in problems:
        print("FAIL:", problem)
    print("PASS" if not problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
