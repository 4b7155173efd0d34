// Ends with a page fault: a write through a null pointer. The ring3 suite spawns it to check
// that the kernel ends a faulting process and everything else goes on.
#include <cstdint>

#include "user/libmnos/print.h"

int main(int, char**) {
    mnos::println("ring3_fault_null: writing through a null pointer");
    // Deliberately unsound: page 0 is never mapped in a user address space, so this faults.
    // The volatile address keeps the compiler from treating it as undefined and deleting it.
    volatile uintptr_t address = 0;
    *reinterpret_cast<volatile int*>(address) = 1;
    mnos::println("ring3_fault_null: still alive (wrong)");
    return 1;
}
