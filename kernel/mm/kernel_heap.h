// The kernel's one heap instance and the hooks the global operator new/delete need.
// kernel_heap.cpp defines the instance; the boot path calls kernel_heap().init(...) with
// layout::HEAP_BASE, layout::HEAP_SIZE and a PageHeapGrower once the PMM and the kernel page
// tables are up. Before that, every allocation fails (Error::InvalidArgument).
#pragma once

#include <cstddef>

#include "kernel/mm/heap.h"

namespace kernel::mm {

Heap& kernel_heap();

// Defined by the kernel's panic/logging code (not in mm/). The throwing forms of operator new
// may not return null, so they end here when the heap is exhausted; code that can handle OOM
// uses the nothrow forms or kernel_heap().allocate() and gets an error instead.
[[noreturn]] void heap_allocation_failed(size_t size, size_t align);
// Called when operator delete is handed a pointer the heap rejects (double free, wrong size, a
// pointer it never returned): a kernel bug worth stopping for.
void heap_free_failed(void* ptr, lib::Error error);

} // namespace kernel::mm
