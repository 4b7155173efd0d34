// A fork bomb on a budget: spawns /bin/ring3_spin (which never ends) until its memory budget
// refuses, then reports how many it started and with which error, kills them all and exits.
// ring3_test gives it a small budget, split from its own, and keeps working meanwhile.
//
// Its CNode, from the parent: slot 0 itself, 1 the budget, 2 the parent's endpoint, 3 the
// initrd, which it loads its children from with libmnos's loader (as anyone must: the kernel
// starts no program but init).
#include <cstdint>

#include "user/libmnos/initrd.h"
#include "user/libmnos/loader.h"
#include "user/libmnos/syscall.h"

using mnos::CapSlot;
namespace sys = mnos::sys;

namespace {
constexpr CapSlot BUDGET{1}, PARENT{2}, INITRD{3};
constexpr uint64_t MAX_CHILDREN = 48; // CNode room to spare; the budget runs out long before
} // namespace

int main(int, char**) {
    static const char spin[] = "/bin/ring3_spin";
    auto archive = mnos::initrd::map(INITRD);
    auto image = archive ? mnos::initrd::file(spin) : lib::fail(archive.error());
    const char* argv[] = {spin};
    CapSlot children[MAX_CHILDREN];
    uint64_t started = 0;
    mnos::Error refused = mnos::Error::InvalidArgument;
    while (started < MAX_CHILDREN) {
        if (!image) {
            refused = image.error();
            break;
        }
        auto child = mnos::spawn({spin, *image, argv, {}, BUDGET, {}, false});
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
