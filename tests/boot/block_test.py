#!/usr/bin/env python3
"""The block service's boot test: makes a disk image with a known pattern in every sector,
boots with it attached as a virtio-blk disk (boot_test.py, which checks the serial log), and
after QEMU has exited checks the image on the host: the sectors the guest wrote hold what it
wrote, and every other sector is untouched.

The pattern is user/test_services/block_pattern.h's: the first 8 bytes of a sector are its LBA,
the other 63 words a xorshift64 sequence seeded from it; written sectors hold the complement,
with a marker beside the LBA.

With --bench-pattern the image holds the block benchmark's pattern instead
(bench/block/image.py), for the benchmark's client.

Usage: block_test.py --sectors N [--written FIRST [--written-count K]] [--bad-sector S]
                     [--bench-pattern] -- boot_test.py arguments
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "block"))
import image as bench_image  # noqa: E402 (bench/block/image.py)
MASK = (1 << 64) - 1
WRITTEN_MARK = 0x5752495445000000


def sector(lba, written=False):
    x = (lba * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) & MASK
    words = [lba ^ WRITTEN_MARK if written else lba]
    for _ in range(63):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        words.append(~x & MASK if written else x)
    return struct.pack("<64Q", *words)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sectors", type=int, required=True)
    p.add_argument("--written", type=int, help="first sector the guest writes")
    p.add_argument("--written-count", type=int, default=8)
    p.add_argument("--bad-sector", type=int,
                   help="QEMU fails every read of this sector with EIO (blkdebug)")
    p.add_argument("--blkdebug", action="store_true",
                   help="the image behind QEMU's blkdebug driver with no rules, so the monitor's "
                        "qemu-io break and resume commands can suspend a request")
    p.add_argument("--bench-pattern", action="store_true",
                   help="the block benchmark's pattern (bench/block/cases.h)")
    p.add_argument("boot_args", nargs=argparse.REMAINDER)
    args = p.parse_args()
    boot_args = args.boot_args[1:] if args.boot_args[:1] == ["--"] else args.boot_args
    with tempfile.TemporaryDirectory(prefix="block-test-") as tmp:
        image = os.path.join(tmp, "disk.img")
        if args.bench_pattern:
            bench_image.write_image(image, args.sectors)
        else:
            with open(image, "wb") as f:
                for lba in range(args.sectors):
                    f.write(sector(lba))
        disk = image
        if args.bad_sector is not None or args.blkdebug:
            rules = os.path.join(tmp, "blkdebug.conf")
            with open(rules, "w") as f:
                if args.bad_sector is not None:
                    f.write(f'[inject-error]\nevent = "read_aio"\nerrno = "5"\n'
                            f'sector = "{args.bad_sector}"\n')
            disk = f"blkdebug:{rules}:{image}"
        status = subprocess.run([sys.executable, os.path.join(HERE, "boot_test.py"),
                                 "--disk", disk, *boot_args]).returncode
        if status != 0:
            return status
        if args.written is None:
            return 0
        written = range(args.written, args.written + args.written_count)
        problems = []
        with open(image, "rb") as f:
            data = f.read()
        if len(data) != args.sectors * 512:
            problems.append(f"the image is {len(data)} bytes, not {args.sectors * 512}")
        for lba in range(min(args.sectors, len(data) // 512)):
            want = sector(lba, lba in written)
            if data[lba * 512:(lba + 1) * 512] != want:
                problems.append(f"sector {lba}: not {'as written' if lba in written else 'untouched'}")
                if len(problems) > 8:
                    break
    for problem in problems:
        print(f"FAIL (image): {problem}")
    if not problems:
        print(f"PASS (image): sectors {args.written}-{args.written + args.written_count - 1} "
              f"hold what the guest wrote, the other {args.sectors - args.written_count} are untouched")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
