// The kernel heap instance. constinit: Heap's constructor is constexpr, so no static
// constructor has to run before the boot path calls init().
#include "kernel/mm/kernel_heap.h"

namespace kernel::mm {

namespace {
constinit Heap g_kernel_heap;
} // namespace

Heap& kernel_heap() { return g_kernel_heap; }

} // namespace kernel::mm
