/* Integer loops over memory: the sieve of Eratosthenes over a byte array, run a few times
 * with different limits so no two passes are identical. */
#include "bench.h"

enum { LIMIT = 4 * 1000 * 1000, PASSES = 4 };

static uint8_t composite[LIMIT + 1];

static uint32_t sieve(uint32_t limit) {
    for (uint32_t i = 0; i <= limit; ++i)
        composite[i] = 0;
    uint32_t count = 0;
    uint32_t sum = 0;
    for (uint32_t i = 2; i <= limit; ++i) {
        if (composite[i])
            continue;
        ++count;
        sum += i;
        for (uint32_t j = i * 2; j <= limit; j += i)
            composite[j] = 1;
    }
    return count * 2654435761u ^ sum;
}

uint32_t bench_run(void) {
    uint32_t seed = bench_seed();
    uint32_t check = 0;
    for (uint32_t pass = 0; pass < PASSES; ++pass)
        check = check * 33 + sieve(LIMIT - (seed >> (pass * 8) & 0xff));
    return check;
}
