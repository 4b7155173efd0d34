// The architecture's per-CPU state: each CPU's GDT, TSS and IST stacks, and the fault
// expectation the self-tests use. One CpuArch per CPU, indexed by a dense CPU index (0 is the
// boot processor); the kernel's GS base points at the running CPU's, so this_cpu() is one load.
// SMP bring-up calls init_cpu() on each application processor with its own index.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/arch/x86_64/descriptors.h"
#include "kernel/sync/lock_rank.h"

namespace kernel::x86_64 {

inline constexpr unsigned MAX_CPUS = 64;

// IST slots (1-based, as the IDT gate names them). Each stack has an unmapped guard page below
// it. #PF does not get one: a fault on the guard page of a kernel stack cannot push its frame and
// escalates to #DF, which runs on IST_DOUBLE_FAULT and reports the overflow (see
// docs/interrupts.md for why a shared IST stack for #PF would break once #PF can block).
inline constexpr unsigned IST_DOUBLE_FAULT = 1;
inline constexpr unsigned IST_NMI = 2;
inline constexpr unsigned IST_MACHINE_CHECK = 3;
inline constexpr unsigned IST_COUNT = 3;

// "At this point I expect exception `vector`; resume at `resume_rip`." Armed by a self-test just
// before the faulting instruction; the exception handler disarms it, records what it saw and
// redirects the frame's RIP instead of reporting and panicking.
struct FaultExpectation {
    static constexpr uint64_t NONE = ~0ull;
    uint64_t vector = NONE;
    uint64_t resume_rip = 0; // written by the test's asm right before the faulting instruction
    // Filled in by the handler when the expected fault arrives.
    bool caught = false;
    uint64_t error_code = 0;
    uint64_t cr2 = 0;
    uint64_t fault_rip = 0;
};

struct alignas(64) CpuArch {
    CpuArch* self = nullptr; // at %gs:0: this_cpu() reads it
    uint32_t index = 0;
    uint32_t apic_id = 0;
    uint64_t syscall_stack_top = 0; // %gs:16: the running thread's kernel stack, for SYSCALL
    uint64_t user_rsp_scratch = 0;  // %gs:24: the user RSP while the entry stub switches stacks
    void* current_thread = nullptr; // %gs:32: the scheduler's Thread running here
    alignas(16) uint64_t gdt[GDT_ENTRIES] = {};
    Tss tss;
    uint64_t ist_bottom[IST_COUNT] = {}; // lowest mapped byte of each IST stack, for reports
    FaultExpectation expected_fault;
    bool online = false;              // takes interrupts and IPIs (set last in its start-up)
    uint64_t current_root = 0;        // the PML4 in CR3, for TLB shootdown targeting
#if MNOS_LOCK_RANKS
    // The ranks of the locks this CPU holds (kernel/sync/lock_rank.h); the scheduler swaps in
    // each thread's own record when it switches to it.
    lock_rank::HeldLocks held_locks;
#endif
};
static_assert(offsetof(CpuArch, self) == 0);
static_assert(offsetof(CpuArch, syscall_stack_top) == 16); // kernel/arch/x86_64/syscall_entry.S
static_assert(offsetof(CpuArch, user_rsp_scratch) == 24);
static_assert(offsetof(CpuArch, current_thread) == 32); // this_cpu_current_thread()

// Builds and loads CPU `index`'s GDT and TSS (with fresh IST stacks), reloads the segment
// registers and points the GS base at its CpuArch. Runs on the CPU itself, interrupts off.
void init_cpu(unsigned index, uint32_t apic_id);

CpuArch& cpu_arch(unsigned index);

// The running CPU's state. Valid after init_cpu() on this CPU, in kernel mode (after the entry
// code's swapgs when coming from Ring 3). A preemptible thread may be moved to another CPU right
// after the read, so what it reads through the reference is only this CPU's while interrupts
// are off (or the thread is pinned).
inline CpuArch& this_cpu() {
    CpuArch* self;
    // Reads the self pointer at offset 0 of the block GS points at. Volatile: the result depends
    // on which CPU runs the code, which the compiler cannot see, so it must not reuse an earlier
    // read across a context switch.
    asm volatile("mov %%gs:0, %0" : "=r"(self));
    return *self;
}

// The thread running on this CPU, in one instruction: a preemption before or after it cannot
// mix one CPU's block with another's current thread, so this is safe with interrupts on. The
// scheduler writes the field before it switches to the thread, with interrupts off.
inline void* this_cpu_current_thread() {
    void* thread;
    asm volatile("mov %%gs:32, %0" : "=r"(thread));
    return thread;
}

} // namespace kernel::x86_64
