/* Traps in the way named by argv[1], after printing a line, so a test can check that the
 * output before the trap arrives and that the status is non-zero. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile int zero = 0;

static int recurse(int n) {
    if (n == zero - 1) /* never true: it only keeps the compiler from calling this endless */
        return 0;
    volatile char pad[64];
    pad[n & 63] = (char)n;
    return recurse(n + 1) + pad[0];
}

int main(int argc, char** argv) {
    const char* how = argc > 1 ? argv[1] : "unreachable";
    printf("before trap\n");
    fflush(stdout);
    if (strcmp(how, "unreachable") == 0)
        __builtin_trap();
    if (strcmp(how, "memory") == 0)
        return *(volatile int*)(uintptr_t)0xfffffff0u; /* far beyond linear memory */
    if (strcmp(how, "divide") == 0) /* not 1 / x: clang rewrites that without a division */
        return (argc + 1000) / zero;
    if (strcmp(how, "stack") == 0)
        return recurse(0);
    printf("unknown trap kind\n");
    return 0;
}
