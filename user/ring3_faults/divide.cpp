// Ends with a divide error (#DE); see null.cpp.
#include <cstdint>

#include "user/libmnos/print.h"

int main(int, char**) {
    mnos::println("ring3_fault_divide: dividing by zero");
    // The divisor is volatile so the compiler cannot fold or drop the division (and div by zero
    // in C++ is undefined: done in asm, where it is a well-defined #DE).
    volatile uint64_t divisor = 0;
    uint64_t quotient = 0;
    uint64_t d = divisor;
    asm volatile("xor %%edx, %%edx\n\tdivq %[d]" : "=a"(quotient) : "a"(uint64_t(7)), [d] "r"(d)
                 : "rdx");
    mnos::println("ring3_fault_divide: still alive (wrong), {}", quotient);
    return 1;
}
