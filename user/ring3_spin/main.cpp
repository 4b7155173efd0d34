// Spins in Ring 3 and never makes another syscall: the process a kill must end from outside
// (ring3_test kills it through its Process capability and waits for it).
#include "user/libmnos/print.h"

int main(int, char**) {
    mnos::println("ring3_spin: spinning");
    for (;;) {
    }
}
