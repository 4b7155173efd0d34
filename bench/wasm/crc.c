/* Byte processing over a buffer: table-driven CRC-32 (the reflected 0xEDB88320 polynomial) and
 * the FNV-1a hash, each over a pseudo-random buffer that is perturbed between passes. */
#include "bench.h"

enum { SIZE = 1 << 20, PASSES = 16 };

static uint8_t buffer[SIZE];
static uint32_t table[256];

static void make_table(void) {
    for (uint32_t n = 0; n < 256; ++n) {
        uint32_t c = n;
        for (int k = 0; k < 8; ++k)
            c = c & 1 ? 0xedb88320u ^ c >> 1 : c >> 1;
        table[n] = c;
    }
}

static uint32_t crc32(const uint8_t* p, uint32_t len) {
    uint32_t c = 0xffffffffu;
    for (uint32_t i = 0; i < len; ++i)
        c = table[(c ^ p[i]) & 0xff] ^ c >> 8;
    return c ^ 0xffffffffu;
}

static uint32_t fnv1a(const uint8_t* p, uint32_t len) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; ++i)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

uint32_t bench_run(void) {
    uint32_t state = bench_seed();
    make_table();
    for (uint32_t i = 0; i < SIZE; i += 4) {
        uint32_t r = bench_next(&state);
        buffer[i] = (uint8_t)r;
        buffer[i + 1] = (uint8_t)(r >> 8);
        buffer[i + 2] = (uint8_t)(r >> 16);
        buffer[i + 3] = (uint8_t)(r >> 24);
    }
    uint32_t check = 0;
    for (uint32_t pass = 0; pass < PASSES; ++pass) {
        uint32_t crc = crc32(buffer, SIZE);
        uint32_t hash = fnv1a(buffer, SIZE);
        check = check * 31 + (crc ^ hash);
        buffer[crc % SIZE] ^= (uint8_t)hash; /* the next pass sees different data */
    }
    return check;
}
