// The pattern the block service's boot test puts in every sector of its disk image
// (tests/boot/block_test.py writes it, the client checks it): the first 8 bytes are the
// sector's LBA, the other 63 words a xorshift64 sequence seeded from the LBA, so a sector read
// from the wrong place, or shifted within a buffer, cannot pass. Sectors the client writes hold
// the complement of that pattern, with a marker beside the LBA, and the host checks those after
// QEMU exits.
#pragma once

#include <cstdint>

namespace block_pattern {

inline constexpr uint64_t WORDS = 512 / 8;
inline constexpr uint64_t WRITTEN_MARK = 0x5752495445000000; // "WRITE" in the top bytes

constexpr uint64_t next(uint64_t x) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

// Word `j` of sector `lba`'s original contents, as words[] for j in order (call with the
// previous state): fill() and matches() walk the sequence.
inline void fill(uint64_t lba, uint64_t* words, bool written) {
    uint64_t x = lba * 0x9e3779b97f4a7c15 + 0x2545f4914f6cdd1d;
    words[0] = written ? lba ^ WRITTEN_MARK : lba;
    for (uint64_t j = 1; j < WORDS; ++j) {
        x = next(x);
        words[j] = written ? ~x : x;
    }
}

inline bool matches(uint64_t lba, const uint64_t* words, bool written) {
    uint64_t expected[WORDS];
    fill(lba, expected, written);
    for (uint64_t j = 0; j < WORDS; ++j)
        if (words[j] != expected[j])
            return false;
    return true;
}

} // namespace block_pattern
