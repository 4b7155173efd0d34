// A process with threads in every state a kill or an exit must reach: one spinning in Ring 3
// (never entering the kernel), one blocked in Recv, one blocked in WaitThread, one asleep for
// an hour, and the main thread. ring3_test starts it, gives it capabilities, and then either kills it or tells it to
// exit; either way every thread must end and the process with them.
//
// The parent gives it (before its first instruction): slot 0 this process, 1 a memory budget,
// 2 the parent's endpoint (WRITE). The main thread sets up, calls the parent with "ready", and the reply says what to do: label 1, exit
// with code 7; anything else, wait in Recv for good.
#include <cstdint>

#include "user/libmnos/print.h"
#include "user/libmnos/syscall.h"

using mnos::CapSlot;
namespace sys = mnos::sys;

namespace {

constexpr CapSlot SELF{0}, BUDGET{1}, PARENT{2};
constexpr uint64_t STACKS = 0x0000500000000000;
constexpr uint64_t PAGE = 4096;

[[noreturn]] void spin(uint64_t) {
    for (;;) {
    }
}

[[noreturn]] void receive_forever(uint64_t endpoint) {
    mnos::IpcMessage m;
    (void)sys::recv(CapSlot{uint32_t(endpoint)}, CapSlot::none(), m);
    mnos::println("ring3_siblings: the receiver returned (wrong)");
    sys::exit_thread();
}

[[noreturn]] void sleep_an_hour(uint64_t) {
    (void)sys::sleep(3'600'000);
    mnos::println("ring3_siblings: the sleeper woke (wrong)");
    sys::exit_thread();
}

[[noreturn]] void wait_forever(uint64_t thread) {
    (void)sys::wait_thread(CapSlot{uint32_t(thread)});
    sys::exit_thread();
}

lib::Result<CapSlot> start(void (*entry)(uint64_t), uint64_t argument, int index) {
    uint64_t base = STACKS + uint64_t(index) * 8 * PAGE;
    CapSlot frame = TRY(sys::alloc_memory(BUDGET, 4));
    TRY(sys::map_memory(SELF, frame, base, mnos::MAP_WRITE));
    // Less 8: entered like a function just called (see ring3_test).
    return sys::spawn_thread(SELF, entry, reinterpret_cast<void*>(base + 4 * PAGE - 8),
                             argument);
}

} // namespace

int main(int, char**) {
    // The parent delegates right after the spawn; until then there is nothing to do.
    while (!sys::inspect(PARENT))
        sys::yield();
    auto endpoint = sys::create_endpoint(BUDGET);
    auto spinner = start(spin, 0, 0);
    if (!endpoint || !spinner || !start(receive_forever, endpoint->index(), 1) ||
        !start(wait_forever, spinner->index(), 2) || !start(sleep_an_hour, 0, 3)) {
        mnos::println("ring3_siblings: setup failed");
        return 1;
    }
    mnos::IpcMessage m;
    m.label = 0x5eed;
    if (!sys::call(PARENT, m))
        return 2;
    mnos::println("ring3_siblings: told to {}", m.label == 1 ? "exit" : "wait");
    if (m.label == 1)
        return 7;
    (void)sys::recv(*endpoint, CapSlot::none(), m);
    return 3;
}
