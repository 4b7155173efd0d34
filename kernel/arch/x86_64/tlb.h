// TLB shootdown: when a mapping that other CPUs may have cached disappears or changes, each of
// them must invalidate it before the frame can be reused. The requester invalidates locally,
// sends IPI_TLB_SHOOTDOWN to every CPU that may hold the translation, and waits until all of
// them have done so.
#pragma once

#include <cstdint>

#include "lib/address.h"

namespace kernel::x86_64::tlb {

// Never call it holding a lock another CPU may spin on with interrupts off: that CPU could not
// answer. Invalidates `pages` pages from `virt` on every CPU that may cache them: all CPUs for a
// kernel-half address (shared by every address space), otherwise those whose CR3 is `root`.
// Interrupts may be on or off; a CPU waiting here still answers other CPUs' requests.
void shootdown(lib::PhysAddr root, lib::VirtAddr virt, uint64_t pages);

// The IPI handler.
void handle_shootdown_ipi();

// How many shootdown requests CPU `cpu` has served (for tests).
uint64_t served(unsigned cpu);

} // namespace kernel::x86_64::tlb
