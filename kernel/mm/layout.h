// The kernel's virtual memory layout (upper half). Lower half: user space (see docs/memory.md).
//
//   PML4 slot  start               what
//   256..383   0xffff800000000000  HHDM: all physical memory (64 TiB at most)
//   384        0xffffc00000000000  kernel heap (512 GiB reserved, grown on demand)
//   385        0xffffc08000000000  kernel stacks, each above an unmapped guard gap
//   386        0xffffc10000000000  MMIO mappings (uncached: LAPIC, I/O APIC, BARs)
//   511        0xffffffff80000000  kernel image (linked here, loaded at 2 MiB)
//
// One PML4 slot per region keeps them apart by construction: no region can grow into another
// without changing this table.
#pragma once

#include <cstdint>

#include "lib/address.h"

namespace kernel::mm::layout {

inline constexpr uint64_t PML4_SLOT_SIZE = uint64_t(1) << 39; // 512 GiB

inline constexpr uint64_t HHDM_BASE = 0xffff800000000000;
inline constexpr uint64_t HHDM_SIZE = 128 * PML4_SLOT_SIZE;

inline constexpr uint64_t HEAP_BASE = 0xffffc00000000000;
inline constexpr uint64_t HEAP_SIZE = PML4_SLOT_SIZE;

// Kernel stacks: slot i occupies [STACKS_BASE + i * STACK_STRIDE, + STACK_STRIDE). Only the top
// STACK_SIZE bytes are mapped; the rest below stays unmapped forever, so an overflow faults on
// the guard instead of running into the neighbouring stack. (A #PF from a stack overflow needs
// an IST stack to be handled, since the faulting stack is unusable.)
inline constexpr uint64_t STACKS_BASE = 0xffffc08000000000;
inline constexpr uint64_t STACKS_SIZE = PML4_SLOT_SIZE;
inline constexpr uint64_t STACK_SIZE = 32 * 1024;
inline constexpr uint64_t STACK_STRIDE = 64 * 1024; // 32 KiB stack + 32 KiB guard
inline constexpr uint64_t STACK_SLOTS = STACKS_SIZE / STACK_STRIDE;

inline constexpr uint64_t MMIO_BASE = 0xffffc10000000000;
inline constexpr uint64_t MMIO_SIZE = PML4_SLOT_SIZE;

inline constexpr uint64_t KERNEL_IMAGE_BASE = 0xffffffff80000000;
inline constexpr uint64_t KERNEL_LOAD_PHYS = 2 * 1024 * 1024;

struct StackSlot {
    lib::VirtAddr guard_base; // lowest address of the unmapped guard
    lib::VirtAddr bottom;     // lowest mapped address of the stack
    lib::VirtAddr top;        // initial RSP: one past the highest mapped byte
};

constexpr StackSlot stack_slot(uint64_t index) {
    uint64_t base = STACKS_BASE + index * STACK_STRIDE;
    return {lib::VirtAddr(base), lib::VirtAddr(base + STACK_STRIDE - STACK_SIZE),
            lib::VirtAddr(base + STACK_STRIDE)};
}

constexpr lib::VirtAddr phys_to_hhdm(lib::PhysAddr phys) {
    return lib::VirtAddr(HHDM_BASE + phys.value());
}

// Each region starts a PML4 slot and ends before the next region.
static_assert(HHDM_BASE % PML4_SLOT_SIZE == 0 && HHDM_BASE + HHDM_SIZE <= HEAP_BASE);
static_assert(HEAP_BASE % PML4_SLOT_SIZE == 0 && HEAP_BASE + HEAP_SIZE <= STACKS_BASE);
static_assert(STACKS_BASE % PML4_SLOT_SIZE == 0 && STACKS_BASE + STACKS_SIZE <= MMIO_BASE);
static_assert(MMIO_BASE % PML4_SLOT_SIZE == 0 && MMIO_BASE + MMIO_SIZE <= KERNEL_IMAGE_BASE);
static_assert(STACK_SIZE % lib::PAGE_SIZE == 0 && STACK_STRIDE - STACK_SIZE >= lib::PAGE_SIZE);
static_assert(stack_slot(STACK_SLOTS - 1).top.value() == STACKS_BASE + STACKS_SIZE);

} // namespace kernel::mm::layout
