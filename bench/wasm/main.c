/* The entry point of the native and WASI builds of a workload: run it once and print the
 * checksum, which run-bench compares across the native, wasm-run and wasm-interp runs. */
#include <stdio.h>

#include "bench.h"

int main(void) {
    printf("checksum %u\n", (unsigned)bench_run());
    return 0;
}
