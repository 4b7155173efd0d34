#include "kernel/test/ipc_test_support.h"

#include "kernel/debug/log.h"
#include "kernel/sched/scheduler.h"

namespace kernel::test::ipc_test {

namespace {

void run_task(void* raw) {
    // Sound: start() passes a Task, which the caller keeps alive until `done` is up.
    auto* task = static_cast<Task*>(raw);
    task->body(task->argument);
    task->done->up();
}

} // namespace

lib::RefPtr<object::Process> new_process() {
    auto process = object::Process::create();
    return process ? *process : lib::RefPtr<object::Process>();
}

bool start(object::Process& process, lib::StringView name, Task& task, uint32_t cpu) {
    return sched::spawn(name, run_task, &task, cpu, &process).has_value();
}

int error_code(mnos::Error error) { return int(error); }

int outcome(const lib::Result<void>& result) { return result ? 0 : error_code(result.error()); }

void worker_failed(std::atomic<uint32_t>& failures, const char* what, uint64_t detail) {
    if (failures.fetch_add(1) < 5)
        kprintln(LogColour::Error, "selftest ipc: FAILED in a worker: {} ({})", what, detail);
}

} // namespace kernel::test::ipc_test
