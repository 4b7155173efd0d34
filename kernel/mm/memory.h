// The kernel's memory services, set up in boot phase 2: the physical frame allocator, the
// kernel's own page tables (HHDM, W^X kernel image), the heap, kernel stacks and MMIO mappings.
// Everything before phase 2 runs on boot.S's tables; everything after uses these.
#pragma once

#include <cstddef>

#include "kernel/boot/boot_info.h"
#include "kernel/mm/page_table.h"
#include "kernel/mm/physical_allocator.h"
#include "lib/result.h"

namespace kernel::mm {

// Phase 2. Panics on failure: without memory management there is nothing to fall back to.
void init(const BootInfo& boot_info);

PhysicalAllocator& pmm();

// Physical address of the kernel's PML4 (for CR3 on application processors and as the template
// every AddressSpace copies its kernel half from).
lib::PhysAddr kernel_page_table_root();

// Maps `size` bytes of device memory at `phys` uncached and writable, never executable, in the
// MMIO region. The result points at `phys` itself (page offsets are kept).
lib::Result<lib::VirtAddr> map_mmio(lib::PhysAddr phys, size_t size);

// A kernel stack of layout::STACK_SIZE bytes with an unmapped guard region below it, so an
// overflow faults instead of corrupting a neighbour.
struct KernelStack {
    lib::VirtAddr bottom; // lowest mapped byte
    lib::VirtAddr top;    // initial stack pointer (16-byte aligned)
    uint64_t slot = 0;
};
lib::Result<KernelStack> allocate_kernel_stack();
void free_kernel_stack(const KernelStack& stack);

// Looks up a kernel-half (or, while boot tables are gone, any) address in the kernel's tables.
lib::Result<Translation> translate_kernel(lib::VirtAddr virt);

// Walks every present leaf of the kernel's page tables and counts those that are both writable
// and executable (W^X says: none) and those reachable from user mode (kernel tables: none).
struct MappingAudit {
    uint64_t leaves = 0;
    uint64_t writable_and_executable = 0;
    uint64_t user_accessible = 0;
};
MappingAudit audit_kernel_mappings();

// The SMP trampoline runs at its physical address while it turns paging on: this maps that one
// page 1:1 (read+execute) in the kernel's tables, and the unmap removes it once APs are up.
lib::Result<void> map_identity_for_trampoline(lib::PhysAddr page);
void unmap_identity_for_trampoline(lib::PhysAddr page);

// Invalidates a kernel mapping on this CPU (other CPUs: see the TLB shootdown in sched/ once
// SMP exists).
void flush_kernel_page(lib::VirtAddr virt);

} // namespace kernel::mm
