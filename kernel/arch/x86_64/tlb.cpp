#include "kernel/arch/x86_64/tlb.h"

#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/vectors.h"
#include "kernel/sync/spinlock.h"

namespace kernel::x86_64::tlb {

namespace {

constexpr uint64_t KERNEL_HALF = 0xffff800000000000;

// One request in flight at a time. Only ever taken with try_lock, in a loop that serves
// requests addressed to this CPU: its holder waits for other CPUs, which may be spinning here.
Spinlock g_request_lock{LockRank::TlbRequest};
// The request. Written under g_request_lock but read by the targets without it (they are what
// the holder waits for): the pending flags' release/acquire publishes it. So not GUARDED_BY.
uint64_t g_virt = 0, g_pages = 0;
std::atomic<bool> g_pending[MAX_CPUS];
std::atomic<uint64_t> g_served[MAX_CPUS];

void invalidate(uint64_t virt, uint64_t pages) {
    for (uint64_t i = 0; i < pages; ++i)
        cpu::invlpg(virt + i * lib::PAGE_SIZE);
}

// Serves a request addressed to this CPU, if there is one.
void serve() {
    unsigned self = this_cpu().index;
    if (!g_pending[self].load(std::memory_order_acquire))
        return;
    invalidate(g_virt, g_pages);
    g_served[self].fetch_add(1, std::memory_order_relaxed);
    g_pending[self].store(false, std::memory_order_release);
}

} // namespace

void shootdown(lib::PhysAddr root, lib::VirtAddr virt, uint64_t pages) {
    invalidate(virt.value(), pages);
    unsigned self = this_cpu().index;
    bool kernel = virt.value() >= KERNEL_HALF;
    // Waiting with interrupts off would deadlock against a CPU that waits for us with its own
    // interrupts off; so every wait below also serves requests addressed to this CPU.
    while (!g_request_lock.try_lock())
        serve();
    g_virt = virt.value();
    g_pages = pages;
    bool targeted[MAX_CPUS] = {};
    for (unsigned c = 0; c < MAX_CPUS; ++c) {
        CpuArch& other = cpu_arch(c);
        if (c == self || !other.online)
            continue; // a CPU not yet taking IPIs has loaded no translation we change
        if (!kernel && other.current_root != root.value())
            continue;
        targeted[c] = true;
        g_pending[c].store(true, std::memory_order_release);
        lapic::send_ipi(other.apic_id, vectors::IPI_TLB_SHOOTDOWN);
    }
    for (unsigned c = 0; c < MAX_CPUS; ++c)
        while (targeted[c] && g_pending[c].load(std::memory_order_acquire))
            cpu::pause();
    g_request_lock.unlock();
}

void handle_shootdown_ipi() { serve(); }

uint64_t served(unsigned cpu) { return g_served[cpu].load(std::memory_order_relaxed); }

} // namespace kernel::x86_64::tlb
