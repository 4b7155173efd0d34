// Probes for the self-tests: each runs one memory access that is expected to page-fault and
// returns what the exception handler saw (caught or not, error code, CR2). They run with
// interrupts off, so the per-CPU fault expectation and the access stay on one CPU; the handler
// resumes right after the access. test=memory uses them for W^X, test=sched for the TLB
// shootdown.
#pragma once

#include <cstdint>

#include "kernel/arch/x86_64/exceptions.h"

namespace kernel::test {

// A 64-bit load from `address`.
x86_64::FaultExpectation probe_read(uint64_t address);
// A one-byte store of 0xcc to `address`.
x86_64::FaultExpectation probe_write(uint64_t address);
// A jump to `address`.
x86_64::FaultExpectation probe_execute(uint64_t address);

} // namespace kernel::test
