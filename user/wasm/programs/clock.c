/* The clocks a WASI program sees: the time of day (from the CMOS clock the kernel read at
 * boot) and a 100 ms sleep through poll_oneoff, measured on the monotonic clock. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t clock) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
    long long now = ns(CLOCK_REALTIME);
    if (now < 0) {
        printf("no wall clock\n");
    } else {
        time_t seconds = (time_t)(now / 1000000000LL);
        struct tm t;
        gmtime_r(&seconds, &t);
        printf("date: %04d-%02d-%02d %02d:%02d:%02d UTC\n", t.tm_year + 1900, t.tm_mon + 1,
               t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
    }
    long long before = ns(CLOCK_MONOTONIC);
    int failed = usleep(100000);
    long long slept_ms = (ns(CLOCK_MONOTONIC) - before) / 1000000;
    printf("slept %lld ms for 100: %s\n", slept_ms,
           !failed && slept_ms >= 100 ? "long enough" : "too short");
    return !failed && slept_ms >= 100 ? 0 : 1;
}
