// Self-test suites, one function per suite, registered by name in suites.cpp.
#pragma once

#include "kernel/test/self_test.h"

namespace kernel::test {

void memory_suite(Context& ctx);
void timer_suite(Context& ctx);
void exceptions_suite(Context& ctx);
void double_fault_suite(Context& ctx);
void serial_irq_suite(Context& ctx);
void isa_override_suite(Context& ctx);
void nmi_suite(Context& ctx);
void sched_suite(Context& ctx);
void userspace_suite(Context& ctx);
void lifecycle_suite(Context& ctx);
void init_suite(Context& ctx);
void ipc_suite(Context& ctx);
void ipc_fastpath_suite(Context& ctx);
void ipc_mixed_suite(Context& ctx);
void bench_suite(Context& ctx);
void bench_smp_suite(Context& ctx);
void lock_order_suite(Context& ctx);

} // namespace kernel::test
