/* stdout and stderr through printf/fputs: exercises wasi-libc's start-up (fd_prestat_get,
 * fd_fdstat_get) and fd_write on both streams. */
#include <stdio.h>

int main(void) {
    printf("hello, %s %d\n", "wasm", 42);
    fputs("to stderr\n", stderr);
    printf("%.3f %s\n", 3.14159, "done");
    return 0;
}
