// A server that faults while it holds a call: it receives one call on the endpoint in its slot
// 0 (delegated by ring3_test after the spawn), then writes through a null pointer. The kernel
// ends the process, and the caller's Call fails with PeerGone instead of waiting for ever.
#include "user/libmnos/syscall.h"

int main(int, char**) {
    constexpr mnos::CapSlot ENDPOINT{0};
    while (!mnos::sys::inspect(ENDPOINT))
        mnos::sys::yield();
    mnos::IpcMessage request;
    if (!mnos::sys::recv(ENDPOINT, mnos::CapSlot::none(), request))
        return 1;
    // Deliberately a page fault: address 0 is never mapped (the null guard).
    *static_cast<volatile int*>(nullptr) = int(request.label);
    return 2;
}
