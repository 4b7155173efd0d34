/* Clocks, random bytes and the errno values wasi-libc sees for what the layer refuses. Prints
 * one line per check and returns the number of failed checks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;

static void check(const char* what, int ok) {
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

int main(void) {
    struct timespec real, mono1, mono2, res;
    check("realtime clock", clock_gettime(CLOCK_REALTIME, &real) == 0 && real.tv_sec > 1600000000);
    int mono_ok = clock_gettime(CLOCK_MONOTONIC, &mono1) == 0 &&
                  clock_gettime(CLOCK_MONOTONIC, &mono2) == 0;
    long long t1 = mono1.tv_sec * 1000000000LL + mono1.tv_nsec;
    long long t2 = mono2.tv_sec * 1000000000LL + mono2.tv_nsec;
    check("monotonic clock", mono_ok && t2 >= t1);
    check("clock resolution", clock_getres(CLOCK_MONOTONIC, &res) == 0 &&
                                  (res.tv_sec > 0 || res.tv_nsec > 0));

    unsigned char a[32] = {0}, b[32] = {0};
    check("random bytes", getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0 &&
                              memcmp(a, b, sizeof a) != 0);

    errno = 0;
    check("write to a bad fd is EBADF", write(7, "x", 1) == -1 && errno == EBADF);
    errno = 0;
    check("seek on stdout is ESPIPE", lseek(1, 0, SEEK_SET) == -1 && errno == ESPIPE);
    errno = 0;
    char buf[4];
    /* The layer answers ENOTCAPABLE; wasi-libc's read() turns that into POSIX's EBADF. */
    check("read from stdout is EBADF", read(1, buf, 1) == -1 && errno == EBADF);
    check("stdout is a terminal to libc", isatty(1) == 1);
    return failures;
}
