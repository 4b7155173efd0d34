/* The cost of one WASI call that reaches a service: an fd_write of 16 bytes to the console
 * (the Wasm host's call to the console service, which passes it to the serial driver and the
 * screen). Rounds of 32 writes, a pause between them for the serial line to drain, and the
 * fastest round's time per call, in nanoseconds on the monotonic clock: under QEMU's
 * -icount shift=0 a nanosecond is one guest instruction (bench/wasm/run-os-bench). An argument
 * sets the calls per round: a long round is what a profiler samples. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
    enum { ROUNDS = 5 };
    long calls = argc > 1 ? atol(argv[1]) : 32;
    if (calls <= 0)
        return 2;
    long long best = -1;
    for (int round = 0; round < ROUNDS; ++round) {
        long long start = now();
        for (long i = 0; i < calls; ++i)
            if (write(1, "fd_write 16 byte", 16) != 16)
                return 1;
        long long per_call = (now() - start) / calls;
        if (best < 0 || per_call < best)
            best = per_call;
        write(1, "\n", 1);
        usleep(200000);
    }
    printf("fd_write of 16 bytes to the console: %lld ns per call\n", best);
    return 0;
}
