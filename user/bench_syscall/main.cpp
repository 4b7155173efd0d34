// The Ring 3 side of `make bench` (kernel/test/bench_suite.cpp starts it): times one kind of
// system call and exits with the median TSC cycles per call over five runs, or -1 for a bad
// argument. "invalid": a number past the table, the shortest round trip (entry, the number
// check, exit); "yield": Yield with nothing else ready, which also runs the scheduler.
// "calibrate": no system call but a loop of known instruction count, timed the same way, for
// the figures taken without icount, whose cycles are host time (exits with the cycles per 1,000
// instructions; under icount that is 1,000).
#include <algorithm>
#include <cstdint>

#include "lib/string_view.h"
#include "user/libmnos/syscall.h"

namespace {

constexpr int RUNS = 5;
constexpr uint64_t CALLS = 10000;

// RDTSC is allowed in Ring 3: the kernel leaves CR4.TSD clear. It reads the clock and nothing
// else (EDX:EAX out).
uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

uint64_t cycles_per_call(mnos::Syscall number) {
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < CALLS; ++i)
        (void)mnos::sys::raw(number);
    return (rdtsc() - start) / CALLS;
}

// A loop of exactly two instructions per iteration (DEC, JNZ), run CALIBRATION_ITERATIONS
// times: the cycles it takes per 1,000 instructions.
constexpr uint64_t CALIBRATION_ITERATIONS = 1000000;
uint64_t cycles_per_kilo_instruction() {
    uint64_t count = CALIBRATION_ITERATIONS;
    uint64_t start = rdtsc();
    // Touches only `count` and the flags.
    asm volatile("1:\n\t"
                 "dec %0\n\t"
                 "jnz 1b"
                 : "+r"(count)
                 :
                 : "cc");
    return (rdtsc() - start) * 1000 / (2 * CALIBRATION_ITERATIONS);
}

template <typename Measure> int median_of_runs(Measure measure) {
    uint64_t figures[RUNS];
    for (auto& figure : figures)
        figure = measure();
    std::sort(figures, figures + RUNS);
    return int(figures[RUNS / 2]);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2)
        return -1;
    lib::StringView kind(argv[1]);
    if (kind == lib::StringView("calibrate"))
        return median_of_runs(cycles_per_kilo_instruction);
    mnos::Syscall number;
    if (kind == lib::StringView("invalid"))
        number = mnos::Syscall(mnos::SYSCALL_COUNT);
    else if (kind == lib::StringView("yield"))
        number = mnos::Syscall::Yield;
    else
        return -1;
    return median_of_runs([number] { return cycles_per_call(number); });
}
