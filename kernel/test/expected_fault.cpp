// The expected-fault hook of the self-tests (kernel/arch/x86_64/exceptions.h): a test arms this
// CPU's FaultExpectation, faults on purpose, and the exception handler resumes it here instead
// of panicking. Only the test kernel links this file.
#include "kernel/arch/x86_64/exceptions.h"

namespace kernel::x86_64 {

bool try_expected_fault(InterruptFrame& f, uint64_t cr2) {
    FaultExpectation& e = this_cpu().expected_fault;
    if (e.vector != f.vector || e.resume_rip == 0 || e.caught)
        return false;
    e.caught = true;
    e.error_code = f.error_code;
    e.cr2 = cr2;
    e.fault_rip = f.rip;
    f.rip = e.resume_rip; // iretq continues at the test's continuation label
    return true;
}

FaultExpectation& expect_fault(uint8_t vector) {
    FaultExpectation& e = this_cpu().expected_fault;
    e = FaultExpectation{};
    e.vector = vector;
    return e;
}

FaultExpectation finish_expected_fault() {
    FaultExpectation& e = this_cpu().expected_fault;
    FaultExpectation result = e;
    e = FaultExpectation{};
    return result;
}

} // namespace kernel::x86_64
