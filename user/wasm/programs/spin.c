/* Prints a line, then computes forever: ended only by ctrl-C (or a kill), never by itself. */
#include <stdio.h>

int main(void) {
    printf("spinning in wasm\n");
    fflush(stdout);
    volatile unsigned long n = 0;
    for (;;)
        ++n;
}
