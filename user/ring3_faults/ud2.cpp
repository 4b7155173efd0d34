// Ends with an invalid-opcode exception (#UD); see null.cpp.
#include "user/libmnos/print.h"

int main(int, char**) {
    mnos::println("ring3_fault_ud2: executing ud2");
    // ud2 is the architecturally undefined instruction; nothing here relies on what follows.
    asm volatile("ud2");
    mnos::println("ring3_fault_ud2: still alive (wrong)");
    return 1;
}
