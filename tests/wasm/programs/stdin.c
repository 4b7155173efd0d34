/* Reads all of stdin (fd_read until end of input) and reports lines, bytes and the text in
 * upper case. */
#include <ctype.h>
#include <stdio.h>

int main(void) {
    int c, bytes = 0, lines = 0;
    char upper[256];
    int n = 0;
    while ((c = getchar()) != EOF) {
        ++bytes;
        if (c == '\n')
            ++lines;
        if (n < (int)sizeof upper - 1)
            upper[n++] = (char)toupper(c);
    }
    upper[n] = '\0';
    printf("bytes=%d lines=%d\n%s", bytes, lines, upper);
    return 0;
}
