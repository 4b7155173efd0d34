#include "kernel/irq/tick.h"

#include <atomic>

namespace kernel::irq {

namespace {
std::atomic<uint64_t> g_ticks{0};
}

uint64_t ticks() { return g_ticks.load(std::memory_order_relaxed); }

void tick() { g_ticks.fetch_add(1, std::memory_order_relaxed); }

} // namespace kernel::irq
