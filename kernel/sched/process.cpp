#include "kernel/sched/process.h"

#include <atomic>

namespace kernel::sched {

namespace {
// Process ids are never reused, so a stale id in a log or a test can never name a new process.
std::atomic<uint64_t> g_next_pid{1};
} // namespace

lib::Result<lib::RefPtr<Process>> Process::create() {
    return object::create_object<Process>(g_next_pid.fetch_add(1, std::memory_order_relaxed));
}

} // namespace kernel::sched
