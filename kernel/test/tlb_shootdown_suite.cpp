// Part of test=sched: a kernel page that one CPU has just read (so its TLB holds the
// translation) is unmapped by another CPU; the next read on the first CPU must fault. Without
// the shootdown IPI it would still succeed through the stale TLB entry, on hardware and in
// QEMU's software TLB alike, since changing a page table entry in memory invalidates nothing.
#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/mm/memory.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/wait_queue.h"
#include "kernel/test/fault_probes.h"
#include "kernel/test/sched_suite_parts.h"

namespace kernel::test {

namespace {

struct TlbProbe {
    uint64_t target = 0;                // a page of a kernel stack that is not in use
    std::atomic<int> phase{0};          // 1: warmed by the probe; 2: unmapped by the test
    bool warm_read_ok = false;
    x86_64::FaultExpectation second_read;
    sched::Semaphore* done = nullptr;
};

void tlb_probe(void* raw) {
    auto* p = static_cast<TlbProbe*>(raw);
    // Loads the translation into this CPU's TLB. The page is mapped: no fault expected.
    p->warm_read_ok = *reinterpret_cast<volatile const uint64_t*>(p->target) == 0x7715'b00b;
    p->phase.store(1);
    // Interrupts stay on while we wait: the shootdown IPI has to get in. Switching to this
    // CPU's idle thread and back keeps CR3 (both run on the kernel tables), so the entry stays.
    while (p->phase.load() != 2)
        cpu::pause();
    p->second_read = probe_read(p->target);
    p->done->up();
}

} // namespace

void tlb_shootdown_suite_part(Context& ctx) {
    uint32_t cpus = sched::online_cpus();
    if (cpus < 2) {
        kprintln("selftest sched: one cpu online: no TLB shootdown to show");
        return;
    }
    uint32_t other = cpus - 1;
    auto stack = mm::allocate_kernel_stack();
    EXPECT(ctx, stack.has_value());
    if (!stack)
        return;
    sched::Semaphore done;
    TlbProbe probe;
    probe.target = stack->bottom.value();
    probe.done = &done;
    *reinterpret_cast<volatile uint64_t*>(probe.target) = 0x7715'b00b;
    EXPECT(ctx, sched::spawn("tlb-probe", tlb_probe, &probe, other).has_value());
    while (probe.phase.load() != 1)
        sched::sleep_ticks(1);
    uint64_t served_before = x86_64::tlb::served(other);
    mm::free_kernel_stack(*stack); // unmaps the pages, then shoots them down on every CPU
    uint64_t served_after = x86_64::tlb::served(other);
    probe.phase.store(2);
    done.down();
    kprintln("selftest sched: page {:#x} read on cpu {}, unmapped on cpu 0: cpu {} served {} "
             "shootdown(s), its next read {} (cr2 {:#x})",
             probe.target, other, other, served_after - served_before,
             probe.second_read.caught ? "faulted" : "did not fault", probe.second_read.cr2);
    EXPECT(ctx, probe.warm_read_ok);
    EXPECT(ctx, served_after > served_before);
    EXPECT(ctx, probe.second_read.caught && probe.second_read.cr2 == probe.target);
}

} // namespace kernel::test
