#include "kernel/arch/x86_64/smp.h"

#include <atomic>

#include "kernel/acpi/platform.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/protection.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/syscall_msrs.h"
#include "kernel/debug/log.h"
#include "kernel/debug/panic.h"
#include "kernel/irq/tick.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"
#include "kernel/sched/scheduler.h"

extern "C" const uint8_t ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_data[];

namespace kernel::x86_64::smp {

namespace {

extern "C" [[noreturn]] void ap_entry(uint64_t index);

// Below 1 MiB (a SIPI names a 4 KiB page number under 256), inside the first MiB the PMM never
// hands out, and clear of the BIOS data area and the EBDA.
constexpr uint64_t TRAMPOLINE_PHYS = 0x8000;

// Who owns the start in progress (ap_claim in ap_trampoline.S, same values).
enum Claim : uint32_t { CLAIM_CLOSED = 0, CLAIM_OPEN = 1, CLAIM_TAKEN = 2 };

// Mirrors the data block at the end of ap_trampoline.S.
struct TrampolineData {
    uint64_t cr3;
    uint64_t stack_top;
    uint64_t entry;
    uint64_t cpu_index;
    std::atomic<uint32_t> claim; // the AP takes it with lock cmpxchg; so does the BSP to close it
    uint32_t reserved;
};
static_assert(sizeof(std::atomic<uint32_t>) == 4 && std::atomic<uint32_t>::is_always_lock_free);

std::atomic<uint32_t> g_started{0}; // index of the last AP that reached ap_entry's end
uint32_t g_apic_ids[MAX_CPUS];

// Busy-waits about `microseconds` on the TSC, whose rate phase 3 measured.
void delay_us(uint64_t microseconds) {
    uint64_t hz = lapic::calibration().tsc_hz;
    uint64_t end = cpu::rdtsc() + hz / 1'000'000 * microseconds;
    while (cpu::rdtsc() < end)
        cpu::pause();
}

bool start_one(uint32_t index, uint32_t apic_id, TrampolineData& data) {
    auto stack = mm::allocate_kernel_stack();
    if (!stack) {
        kprintln(LogColour::Warning, "smp: no stack for cpu {}: {}", index,
                 mnos::error_name(stack.error()));
        return false;
    }
    // The trampoline jumps to ap_entry rather than calling it: leave the return-address slot a
    // call would have pushed, so the function entry sees the ABI's alignment.
    data.stack_top = stack->top.value() - 8;
    data.cpu_index = index;
    g_apic_ids[index] = apic_id;
    data.claim.store(CLAIM_OPEN, std::memory_order_release); // after the fields it guards

    // INIT, 10 ms, then up to two STARTUPs 200 us apart (the MultiProcessor Specification's
    // sequence, which every x86-64 CPU accepts).
    lapic::send_init(apic_id);
    delay_us(10'000);
    auto taken = [&] { return data.claim.load(std::memory_order_acquire) == CLAIM_TAKEN; };
    for (int attempt = 0; attempt < 2 && !taken(); ++attempt) {
        lapic::send_startup(apic_id, uint8_t(TRAMPOLINE_PHYS >> 12));
        // Under emulation an AP can take long to run its first instructions: wait up to 1 s.
        uint64_t deadline = cpu::rdtsc() + lapic::calibration().tsc_hz;
        while (cpu::rdtsc() < deadline && !taken())
            cpu::pause();
    }
    // Close the start. If the AP took it first, it is running the kernel on its stack and will
    // report in; otherwise it parks in the trampoline should it ever arrive, and INIT puts it
    // back to waiting for a SIPI for certain.
    uint32_t open = CLAIM_OPEN;
    if (data.claim.compare_exchange_strong(open, CLAIM_CLOSED, std::memory_order_acq_rel)) {
        lapic::send_init(apic_id);
        kprintln(LogColour::Warning, "smp: cpu {} (APIC {}) did not start", index, apic_id);
        mm::free_kernel_stack(*stack); // no AP read its address: that needs the claim
        return false;
    }
    while (g_started.load(std::memory_order_acquire) != index)
        cpu::pause();
    return true;
}

// Where each AP arrives from the trampoline, in long mode on the kernel's tables and its own
// stack, interrupts off.
extern "C" [[noreturn]] void ap_entry(uint64_t index) {
    init_cpu(unsigned(index), g_apic_ids[index]);
    init_syscall_msrs();
    idt::load();
    if (auto ok = lapic::init(acpi::platform_madt().local_apic_address()); !ok)
        PANIC("smp: cpu {} cannot enable its local APIC", index);
    init_fpu();
    (void)enable_protections(); // the same CPUID as the bootstrap CPU's, which logged it
    cpu_arch(unsigned(index)).current_root = mm::kernel_page_table_root().value();
    sched::init_cpu(uint32_t(index), "idle", /*boot_thread_is_idle=*/true);
    lapic::start_periodic(irq::TICK_HZ);
    cpu_arch(unsigned(index)).online = true;
    g_started.store(uint32_t(index), std::memory_order_release);
    sched::run_idle();
}

} // namespace

uint32_t start_application_processors() {
    const acpi::Madt& madt = acpi::platform_madt();
    uint32_t bsp = cpu_arch(0).apic_id;
    if (madt.processors().size() <= 1)
        return sched::online_cpus();

    uint64_t root = mm::kernel_page_table_root().value();
    if (root >= (1ull << 32))
        PANIC("smp: the kernel PML4 at {:#x} is above 4 GiB; a 32-bit trampoline cannot load it", root);
    // The trampoline turns paging on while running at its physical address: map that page 1:1,
    // read+execute, for the duration of the start-up.
    if (auto mapped = mm::map_identity_for_trampoline(lib::PhysAddr(TRAMPOLINE_PHYS)); !mapped)
        PANIC("smp: cannot map the trampoline: {}", mnos::error_name(mapped.error()));
    // The first MiB is in the HHDM and never allocated, so the copy lands in free low memory.
    size_t size = size_t(ap_trampoline_end - ap_trampoline_start);
    __builtin_memcpy(mm::phys_to_ptr<uint8_t>(lib::PhysAddr(TRAMPOLINE_PHYS)), ap_trampoline_start, size);
    auto* data = mm::phys_to_ptr<TrampolineData>(
        lib::PhysAddr(TRAMPOLINE_PHYS + uint64_t(ap_trampoline_data - ap_trampoline_start)));
    data->cr3 = root;
    data->entry = reinterpret_cast<uint64_t>(&ap_entry);

    uint32_t next = 1;
    for (const acpi::Processor& p : madt.processors()) {
        if (p.apic_id == bsp || next >= MAX_CPUS)
            continue;
        if (start_one(next, p.apic_id, *data))
            ++next;
    }
    mm::unmap_identity_for_trampoline(lib::PhysAddr(TRAMPOLINE_PHYS));
    return sched::online_cpus();
}

} // namespace kernel::x86_64::smp
