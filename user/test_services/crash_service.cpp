// A service that always crashes at start (init's boot test): init must log each fault, restart
// it with a growing back-off, and give up at its limit while everything else goes on.
#include <cstdint>

int main(int, char**) {
    // Sound as a test: this address is never mapped in Ring 3, so the read faults.
    return int(*reinterpret_cast<volatile uint64_t*>(uintptr_t(0xdead0000)));
}
