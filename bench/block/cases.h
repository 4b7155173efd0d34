/* The block benchmark's cases and its disk image's pattern, shared by the two programs that
 * run it in the same QEMU on the same image: user/bench_block (MinimalOS, through the block
 * service) and bench/linux/block.c (Debian's Linux, O_DIRECT on /dev/vda). C, so that the
 * static glibc program and the freestanding C++ one include the same table.
 *
 * The image (bench/block/run-bench writes it): every 512-byte sector starts with its LBA and
 * then the LBA xor BLOCK_BENCH_MAGIC, both little-endian 64-bit words; the rest is zero. Each
 * program checks both words of every sector it reads.
 *
 * Each prints one line per case, "block-bench: NAME: M.M MiB/s, N IOPS (R reads in T ms)",
 * then "block-bench: R reads checked, W wrong". */
#ifndef MNOS_BENCH_BLOCK_CASES_H
#define MNOS_BENCH_BLOCK_CASES_H

#include <stdint.h>

#define BLOCK_BENCH_MAGIC 0x6d6e6f73626c6b00ull /* "mnosblk" */
#define BLOCK_BENCH_SECTOR 512u
#define BLOCK_BENCH_MAX_DEPTH 32u
#define BLOCK_BENCH_MAX_BYTES 65536u

struct block_bench_case {
    const char* name;
    int random;           /* 0: consecutive blocks from sector 0 on, wrapping at the end */
    uint32_t block_bytes; /* 4 KiB or 64 KiB */
    uint32_t depth;       /* requests in flight at once: 1 or 32 */
};

static const struct block_bench_case BLOCK_BENCH_CASES[] = {
    {"seq 4KiB qd1", 0, 4096, 1},     {"seq 4KiB qd32", 0, 4096, 32},
    {"seq 64KiB qd1", 0, 65536, 1},   {"seq 64KiB qd32", 0, 65536, 32},
    {"rand 4KiB qd1", 1, 4096, 1},    {"rand 4KiB qd32", 1, 4096, 32},
    {"rand 64KiB qd1", 1, 65536, 1},  {"rand 64KiB qd32", 1, 65536, 32},
};
#define BLOCK_BENCH_CASE_COUNT (sizeof BLOCK_BENCH_CASES / sizeof BLOCK_BENCH_CASES[0])

/* xorshift64: the random cases' block numbers, one stream per request in flight. */
static inline uint64_t block_bench_next_random(uint64_t* state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* Whether `bytes` read from `first_sector` on hold the pattern. */
static inline int block_bench_pattern_holds(const uint8_t* data, uint64_t first_sector,
                                            uint32_t bytes) {
    for (uint32_t off = 0; off < bytes; off += BLOCK_BENCH_SECTOR) {
        uint64_t lba = first_sector + off / BLOCK_BENCH_SECTOR, words[2];
        __builtin_memcpy(words, data + off, sizeof words);
        if (words[0] != lba || words[1] != (lba ^ BLOCK_BENCH_MAGIC))
            return 0;
    }
    return 1;
}

/* One case's figures from its reads and the nanoseconds they took: MiB/s in tenths, IOPS.
 * In double (both programs may use SSE): 64-bit integers would overflow in the products. */
static inline void block_bench_rates(uint64_t reads, uint32_t block_bytes, uint64_t ns,
                                     uint64_t* mib_tenths, uint64_t* iops) {
    double seconds = (ns ? (double)ns : 1.0) / 1e9;
    *mib_tenths = (uint64_t)((double)reads * block_bytes * 10.0 / 1048576.0 / seconds + 0.5);
    *iops = (uint64_t)((double)reads / seconds + 0.5);
}

#endif
