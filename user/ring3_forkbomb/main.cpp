// A fork bomb on a budget: spawns /bin/ring3_spin (which never ends) until its memory budget
// refuses, then reports how many it started and with which error, kills them all and exits.
// ring3_test gives it a small budget, split from its own, and keeps working meanwhile.
//
// Its CNode, filled by the parent after the spawn: slot 0 the budget, 1 the parent's endpoint.
#include <cstdint>

#include "user/libmnos/syscall.h"

using mnos::CapSlot;
namespace sys = mnos::sys;

namespace {
constexpr CapSlot BUDGET{0}, PARENT{1};
constexpr uint64_t MAX_CHILDREN = 48; // CNode room to spare; the budget runs out long before
} // namespace

int main(int, char**) {
    while (!sys::inspect(PARENT))
        sys::yield();
    static const char spin[] = "/bin/ring3_spin";
    CapSlot children[MAX_CHILDREN];
    uint64_t started = 0;
    mnos::Error refused = mnos::Error::InvalidArgument;
    while (started < MAX_CHILDREN) {
        auto child = sys::spawn_process(BUDGET, spin, sizeof spin - 1);
        if (!child) {
            refused = child.error();
            break;
        }
        children[started++] = *child;
    }
    for (uint64_t i = 0; i < started; ++i) {
        (void)sys::kill_process(children[i]);
        (void)sys::wait_process(children[i]);
    }
    mnos::IpcMessage report;
    report.label = started;
    report.words[0] = uint64_t(refused);
    (void)sys::call(PARENT, report);
    return 0;
}
