// Helpers shared by the parts of test=ipc (ipc_suite.cpp, ipc_rights_suite.cpp): kernel threads
// in small test processes, and failure reporting from those threads (Context is not
// thread-safe, so workers count failures atomically and the suite checks the counts).
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/object/process.h"
#include "kernel/sched/wait_queue.h"
#include "kernel/test/self_test.h"

namespace kernel::test::ipc_test {

// A thread body and what it needs; ups `done` when the body returns. Must outlive the thread.
struct Task {
    void (*body)(void* argument) = nullptr;
    void* argument = nullptr;
    sched::Semaphore* done = nullptr;
};

lib::RefPtr<object::Process> new_process();
// Starts `task` in a thread of `process`, pinned to `cpu` (or ANY_CPU).
bool start(object::Process& process, lib::StringView name, Task& task, uint32_t cpu);

// 0 for success, else the error's number: lets a worker store an outcome in a plain integer.
int outcome(const lib::Result<void>& result);
int error_code(mnos::Error error);

// Counts a failure seen by a worker thread and logs the first few.
void worker_failed(std::atomic<uint32_t>& failures, const char* what, uint64_t detail);

// TSC cycles per call/reply round trip between two test processes' threads on `cpu`, every
// payload checked (ipc_suite.cpp; test=bench uses it).
uint64_t ipc_round_trip_cycles(Context& ctx, uint32_t cpu, uint64_t round_trips);

void rights_suite_part(Context& ctx);
void transfer_suite_part(Context& ctx);
void irq_suite_part(Context& ctx);

} // namespace kernel::test::ipc_test
