// The parts test=sched (sched_suite.cpp) runs from other files.
#pragma once

#include "kernel/test/self_test.h"

namespace kernel::test {

// Placement on the least loaded CPU, stealing, yield and sleep (sched_balance_suite.cpp).
void balancing_suite_part(Context& ctx);
// A kernel mapping unmapped on one CPU is gone on another (tlb_shootdown_suite.cpp).
void tlb_shootdown_suite_part(Context& ctx);

} // namespace kernel::test
