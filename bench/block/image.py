"""The block benchmark's disk image (bench/block/cases.h has the pattern): every 512-byte sector
starts with its LBA and the LBA xor MAGIC, little-endian; the rest is zero. Written in 1 MiB
pieces, so a 128 MiB image takes well under a second."""
import struct

MAGIC = 0x6D6E6F73626C6B00  # BLOCK_BENCH_MAGIC
SECTOR = 512
PIECE = 2048  # sectors per write


def write_image(path, sectors):
    tail = b"\0" * (SECTOR - 16)
    with open(path, "wb") as f:
        for first in range(0, sectors, PIECE):
            f.write(b"".join(struct.pack("<QQ", lba, lba ^ MAGIC) + tail
                             for lba in range(first, min(first + PIECE, sectors))))
