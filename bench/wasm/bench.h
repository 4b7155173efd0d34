/* Shared by every workload in bench/wasm/: each defines bench_run(), which does a fixed,
 * deterministic amount of work and returns a checksum of its results.
 *
 * One workload source is built three ways: natively and as a WASI command (both with main.c,
 * which prints the checksum), and as a bare wasm32 module with no imports that exports
 * bench_run. The bare module exists because Debian's wasm-interp is built without WASI, so it
 * can only run exported functions. Workloads therefore use no libc at all: static buffers,
 * no malloc, no printf, and floating point limited to + - * / and sqrt, which IEEE 754 defines
 * exactly, so every build computes the same checksum. */
#ifndef BENCH_WASM_BENCH_H
#define BENCH_WASM_BENCH_H

#include <stdint.h>

uint32_t bench_run(void);

/* Read through a volatile so the compiler cannot fold a whole workload into a constant. */
static inline uint32_t bench_seed(void) {
    static volatile uint32_t seed = 0x9e3779b9u;
    return seed;
}

/* xorshift32: cheap deterministic pseudo-random numbers for building inputs. */
static inline uint32_t bench_next(uint32_t* state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

#endif
