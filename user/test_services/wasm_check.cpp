// The hypervisor's concurrency test (tests/boot, wasm-concurrent): starts three Wasm programs
// at once, each in a Wasm host process of its own, on however many CPUs there are: one traps,
// one computes forever, one finishes with its output. The trap must end only its own program,
// the finisher must exit 0 while the others run, and the loop must still be running until this
// kills it. Exits with its failure count.
#include "abi/init.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/loader.h"
#include "user/libmnos/print.h"

namespace {

using mnos::CapSlot;
using mnos::Rights;
namespace sys = mnos::sys;

constexpr CapSlot INITRD{mnos::service_caps::FIRST_GRANT};
constexpr uint64_t PROGRAM_PAGES = 4096;
int g_failures = 0;

void check(bool ok, const char* what) {
    if (!ok)
        ++g_failures;
    mnos::println("wasm-check: {} {}", ok ? "PASS" : "FAIL", what);
}

lib::Result<CapSlot> start(const char* module, const char* argument) {
    auto image = TRY(mnos::initrd::file("/bin/wasm"));
    CapSlot budget = TRY(sys::split_budget(mnos::service_caps::BUDGET, PROGRAM_PAGES));
    const char* argv[] = {"/bin/wasm", module, argument};
    const char* const env[] = {"MNOS_INITRD=3"};
    mnos::Grant grants[] = {{budget, mnos::service_caps::BUDGET, Rights::All},
                            {INITRD, CapSlot(3), Rights::Read}};
    mnos::Program program{module, image, std::span(argv, argument ? 3 : 2), env, budget, grants};
    auto process = mnos::spawn(program);
    (void)sys::drop_cap(budget);
    return process;
}

} // namespace

int main(int, char**) {
    if (!mnos::initrd::map(INITRD)) {
        mnos::println("wasm-check: no initrd");
        return 1;
    }
    auto looper = start("/bin/spin.wasm", nullptr);
    auto trapper = start("/bin/trap.wasm", "divide");
    auto finisher = start("/bin/args.wasm", "finished");
    check(looper && trapper && finisher, "three Wasm programs started at once");
    if (!looper || !trapper || !finisher)
        return 1;
    auto trapped = sys::wait_process(*trapper);
    check(trapped && trapped->reason == mnos::ExitReason::Exited && trapped->code == 134,
          "the trapping program ended with the trap status (134)");
    auto finished = sys::wait_process(*finisher);
    check(finished && finished->reason == mnos::ExitReason::Exited && finished->code == 0,
          "the finishing program exited with 0 beside the others");
    // Still computing: the trap and the exit did not touch it.
    auto looping = sys::inspect(*looper);
    check(looping.has_value(), "the looping program is still there");
    (void)sys::sleep(200);
    check(sys::kill_process(*looper).has_value(), "the looping program is killed");
    auto killed = sys::wait_process(*looper);
    check(killed && killed->reason == mnos::ExitReason::Killed, "and ended by the kill");
    mnos::println("wasm-check: {} failure(s)", g_failures);
    return g_failures;
}
