// The Linux anchor of `make bench` (bench/linux/run-linux): the init of a tiny initramfs that
// measures, in the same QEMU under -icount shift=0, the operations MinimalOS's Ring 3 figures
// stand beside: getppid (a null syscall), round trips between two processes over an eventfd
// pair, a pipe pair and a futex pair, and a sched_yield that switches process. Each figure is
// the median of five runs of RDTSC deltas (instruction counts under icount), printed as
// "linux: NAME: N instructions"; a run that sees a wrong value prints "linux: FAILED" and the
// guest exits with 1 through QEMU's isa-debug-exit port (0 when everything ran).
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sched.h>

enum { RUNS = 5, ROUND_TRIPS = 10000 };

static uint64_t rdtsc(void) {
    uint32_t lo, hi;
    // Reads the TSC and nothing else; allowed in Ring 3 (CR4.TSD clear).
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static int failed;

static void fail(const char* what) {
    printf("linux: FAILED: %s\n", what);
    failed = 1;
}

static int by_value(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : x > y;
}

static void report(const char* name, uint64_t (*measure)(void)) {
    uint64_t figures[RUNS];
    for (int i = 0; i < RUNS; ++i)
        figures[i] = measure();
    qsort(figures, RUNS, sizeof figures[0], by_value);
    printf("linux: %s: %llu instructions\n", name, (unsigned long long)figures[RUNS / 2]);
    fflush(stdout);
}

static uint64_t null_syscall(void) {
    pid_t parent = getppid();
    uint64_t start = rdtsc();
    for (int i = 0; i < ROUND_TRIPS; ++i)
        if (syscall(SYS_getppid) != parent)
            fail("getppid");
    return (rdtsc() - start) / ROUND_TRIPS;
}

// Two processes pass a counter back and forth through `to_child` and `to_parent`, one pair of
// descriptors each way (an eventfd or a pipe end, both read and written as 8 bytes).
static uint64_t fd_round_trips(int to_child_read, int to_child_write, int to_parent_read,
                               int to_parent_write) {
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < ROUND_TRIPS; ++i) {
            uint64_t v;
            if (read(to_child_read, &v, 8) != 8)
                _exit(2);
            v += 1;
            if (write(to_parent_write, &v, 8) != 8)
                _exit(2);
        }
        _exit(0);
    }
    uint64_t start = rdtsc();
    for (int i = 0; i < ROUND_TRIPS; ++i) {
        uint64_t v = (uint64_t)i + 1, back = 0;
        if (write(to_child_write, &v, 8) != 8 || read(to_parent_read, &back, 8) != 8 ||
            back != v + 1)
            fail("round trip value");
    }
    uint64_t figure = (rdtsc() - start) / ROUND_TRIPS;
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("round trip child");
    return figure;
}

static uint64_t eventfd_round_trip(void) {
    int a = eventfd(0, 0), b = eventfd(0, 0);
    if (a < 0 || b < 0)
        fail("eventfd");
    uint64_t figure = fd_round_trips(a, a, b, b);
    close(a);
    close(b);
    return figure;
}

static uint64_t pipe_round_trip(void) {
    int down[2], up[2];
    if (pipe(down) || pipe(up))
        fail("pipe");
    uint64_t figure = fd_round_trips(down[0], down[1], up[0], up[1]);
    for (int i = 0; i < 2; ++i) {
        close(down[i]);
        close(up[i]);
    }
    return figure;
}

// A word in shared memory: the parent sets it odd and wakes the child, which sets it even and
// wakes the parent; each waits while the word is not yet its turn.
static long futex(uint32_t* word, int op, uint32_t value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

static uint64_t futex_round_trip(void) {
    uint32_t* word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED)
        fail("mmap");
    *word = 0;
    pid_t child = fork();
    if (child == 0) {
        for (uint32_t i = 0; i < ROUND_TRIPS; ++i) {
            while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 2 * i + 1)
                futex(word, FUTEX_WAIT, 2 * i);
            __atomic_store_n(word, 2 * i + 2, __ATOMIC_RELEASE);
            futex(word, FUTEX_WAKE, 1);
        }
        _exit(0);
    }
    uint64_t start = rdtsc();
    for (uint32_t i = 0; i < ROUND_TRIPS; ++i) {
        __atomic_store_n(word, 2 * i + 1, __ATOMIC_RELEASE);
        futex(word, FUTEX_WAKE, 1);
        while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 2 * i + 2)
            futex(word, FUTEX_WAIT, 2 * i + 1);
    }
    uint64_t figure = (rdtsc() - start) / ROUND_TRIPS;
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("futex child");
    munmap(word, 4096);
    return figure;
}

// Both processes yield ROUND_TRIPS times; each of the parent's yields lets the child run one.
static uint64_t yield_switch(void) {
    int ready[2];
    if (pipe(ready))
        fail("pipe");
    pid_t child = fork();
    if (child == 0) {
        char c = 1;
        if (write(ready[1], &c, 1) != 1)
            _exit(2);
        for (int i = 0; i < ROUND_TRIPS; ++i)
            sched_yield();
        _exit(0);
    }
    char c;
    if (read(ready[0], &c, 1) != 1)
        fail("yield start");
    uint64_t start = rdtsc();
    for (int i = 0; i < ROUND_TRIPS; ++i)
        sched_yield();
    uint64_t figure = (rdtsc() - start) / (2 * ROUND_TRIPS);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("yield child");
    close(ready[0]);
    close(ready[1]);
    return figure;
}

int main(void) {
    printf("linux: benchmark start\n");
    report("getppid", null_syscall);
    report("eventfd round trip between two processes", eventfd_round_trip);
    report("pipe round trip between two processes", pipe_round_trip);
    report("futex round trip between two processes", futex_round_trip);
    report("sched_yield between two processes", yield_switch);
    printf("linux: benchmark %s\n", failed ? "failed" : "done");
    fflush(stdout);
    // QEMU's isa-debug-exit device (run-qemu adds it) ends the guest with this code.
    if (ioperm(0xf4, 4, 1) == 0)
        outl(failed, 0xf4);
    return failed;
}
