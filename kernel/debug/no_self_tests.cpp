// What the shipped kernel links where the test kernel has its self-tests (kernel/test/): no
// suite, so `test=<suite>` fails the run as an unknown name does, and no expected faults, so
// every kernel-mode fault is reported and panics.
#include "kernel/arch/x86_64/exceptions.h"
#include "kernel/debug/log.h"
#include "kernel/debug/test_mode.h"

namespace kernel {

namespace test_mode {

void run_selected_suite() {
    kprintln(LogColour::Error, "selftest: no suite named '{}': this kernel has no self-tests "
                               "(the boot tests boot kernel-test.elf)",
             suite());
    exit(ExitCode::Failure);
}

} // namespace test_mode

namespace x86_64 {

bool try_expected_fault(InterruptFrame&, uint64_t) { return false; }

} // namespace x86_64

} // namespace kernel
