// Ends with a general-protection fault: with UMIP on (kernel/arch/x86_64/protection.h), SIDT in
// Ring 3 faults instead of telling a program where the kernel's IDT is; see null.cpp.
#include <cstdint>

#include "user/libmnos/print.h"

int main(int, char**) {
    mnos::println("ring3_fault_sidt: executing sidt");
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } idtr{};
    // SIDT only stores 10 bytes into `idtr`; under UMIP it faults before storing anything.
    asm volatile("sidt %0" : "=m"(idtr));
    mnos::println("ring3_fault_sidt: the IDT is at {:#x} (UMIP is off)", idtr.base);
    return 1;
}
