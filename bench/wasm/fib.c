/* Recursive calls: the naive Fibonacci recursion and a three-way recursive function in the
 * style of Takeuchi's, both dominated by call and return overhead. */
#include "bench.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

/* Recurses until x <= y; the number of calls grows very fast with the spread of arguments. */
static int32_t tri(int32_t x, int32_t y, int32_t z) {
    if (x <= y)
        return z;
    return tri(tri(x - 1, y, z), tri(y - 1, z, x), tri(z - 1, x, y));
}

uint32_t bench_run(void) {
    uint32_t base = bench_seed() & 1; /* 1 at run time, unknown at compile time */
    uint32_t sum = fib(35 + base);
    sum = sum * 31 + (uint32_t)tri(18, 12, 6 + (int32_t)base);
    return sum;
}
