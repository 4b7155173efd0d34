// The kernel entry: boot.S calls kernel_main on the boot stack with the Multiboot2 magic and
// the physical address of the boot information. Start-up runs in five phases, each announced on
// the log: 1 boot (boot info, serial, console), 2 memory, 3 interrupts, 4 scheduler and SMP,
// 5 userspace.
#include <cstdint>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/hypervisor.h"
#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/boot/boot_module.h"
#include "kernel/boot/multiboot2.h"
#include "kernel/debug/log.h"
#include "kernel/debug/panic.h"
#include "kernel/dev/cmos_clock.h"
#include "kernel/dev/framebuffer_console.h"
#include "kernel/dev/serial.h"
#include "kernel/arch/x86_64/protection.h"
#include "kernel/ipc/kernel_hooks.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"
#include "kernel/init_process.h"
#include "kernel/pci/bus.h"
#include "kernel/sched/reaper.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sync/spinlock.h"
#include "kernel/debug/test_mode.h"
#include "kernel/version.h"

extern "C" uintptr_t __stack_chk_guard;

namespace kernel {

void run_global_constructors();

namespace {

BootInfo g_boot_info;

void announce_phase(int number, lib::StringView name) {
    kprintln(LogColour::Heading, "[phase {}/5] {}", number, name);
}

// Maps the loader's information block through the boot HHDM and turns it into BootInfo.
BootInfo read_boot_info(uint32_t magic, uint64_t info_phys) {
    if (magic != multiboot2::BOOTLOADER_MAGIC)
        PANIC("not started by a Multiboot2 loader (magic {:#x})", magic);
    lib::PhysAddr phys(info_phys);
    if (info_phys == 0 || info_phys + 8 > mm::BOOT_HHDM_LIMIT)
        PANIC("boot information at {} is outside the boot mapping", phys);
    // Below BOOT_HHDM_LIMIT, so boot.S's HHDM maps it.
    auto* base = mm::phys_to_ptr<const uint8_t>(phys);
    uint32_t size = multiboot2::declared_size({base, 8});
    if (info_phys + size > mm::BOOT_HHDM_LIMIT)
        PANIC("boot information ({} bytes at {}) runs past the boot mapping", size, phys);
    auto parsed = multiboot2::parse({base, size}, phys);
    if (!parsed)
        PANIC("malformed Multiboot2 information: {} (at byte {})", parsed.error().reason,
              parsed.error().offset);
    return *parsed;
}

void start_console(const BootInfo& info) {
    if (!info.has_framebuffer())
        return;
    const Framebuffer& fb = info.framebuffer;
    uint64_t end = fb.base.value() + uint64_t(fb.pitch) * fb.height;
    if (end > mm::BOOT_HHDM_LIMIT) {
        kprintln(LogColour::Warning, "console: framebuffer at {} is above the boot mapping; serial only",
                 fb.base);
        return;
    }
    console::init(fb, mm::phys_to_ptr<uint8_t>(fb.base)); // below the limit: mapped by boot.S
}

const char* memory_type_name(MemoryType type) {
    switch (type) {
    case MemoryType::Usable: return "usable";
    case MemoryType::Reserved: return "reserved";
    case MemoryType::AcpiReclaimable: return "ACPI reclaimable";
    case MemoryType::AcpiNvs: return "ACPI NVS";
    case MemoryType::Defective: return "defective";
    }
    return "?";
}

uint64_t usable_bytes(const BootInfo& info) {
    uint64_t total = 0;
    for (size_t i = 0; i < info.region_count; ++i)
        if (info.regions[i].type == MemoryType::Usable)
            total += info.regions[i].length;
    return total;
}

void phase_boot(uint32_t magic, uint64_t info_phys) {
    bool have_serial = serial::init();
    g_boot_info = read_boot_info(magic, info_phys);
    start_console(g_boot_info);
    test_mode::init(g_boot_info.command_line);
    log::configure(g_boot_info.command_line, test_mode::active());

    kprintln(LogColour::Good, "MinimalOS {} ({} build, clang {})", version::STRING, version::CONFIG,
             __clang_version__);
    announce_phase(1, "boot");
    kprintln("boot: loader \"{}\", command line \"{}\"", g_boot_info.loader_name,
             g_boot_info.command_line);
    kprintln("boot: {} memory regions, {} MiB usable, {} modules, ACPI RSDP {}",
             g_boot_info.region_count, usable_bytes(g_boot_info) >> 20, g_boot_info.module_count,
             g_boot_info.rsdp);
    for (size_t i = 0; i < g_boot_info.region_count; ++i) {
        const MemoryRegion& r = g_boot_info.regions[i];
        kprintln("boot:   {} - {} {}", r.base, r.base + r.length, memory_type_name(r.type));
    }
    if (console::active())
        kprintln("console: {}x{} framebuffer at {}, {}x{} text", g_boot_info.framebuffer.width,
                 g_boot_info.framebuffer.height, g_boot_info.framebuffer.base, console::columns(),
                 console::rows());
    else
        kprintln("console: no linear framebuffer; logging to serial only");
    kprintln("serial: COM1 {}", have_serial ? "115200 8N1, loopback check passed" : "absent");
}

// Before a second CPU runs: under a hypervisor, spinlock waiters barge rather than queue
// (kernel/sync/spinlock.h says why).
void choose_spinlock_policy() {
    if (auto hypervisor = x86_64::detect_hypervisor()) {
        set_spinlock_policy(SpinlockPolicy::Barging);
        kprintln("sync: hypervisor \"{}\": spinlock waiters barge instead of queueing",
                 hypervisor->text);
    } else {
        kprintln("sync: no hypervisor: spinlock waiters queue in FIFO order");
    }
    if (lock_rank::checking())
        kprintln("sync: lock-rank checking on: {} ranks, a lock taken out of order panics",
                 lock_rank::RANKS - 1);
}

// Phase 4: the boot context becomes CPU 0's first thread, then every other CPU joins.
void start_scheduler() {
    choose_spinlock_policy();
    cpu::disable_interrupts(); // a tick must not schedule on a half-built run queue
    x86_64::init_fpu();
    x86_64::Protections protections = x86_64::enable_protections();
    kprintln("cpu: SMEP {}, SMAP {}, UMIP {}", protections.smep ? "on" : "absent",
             protections.smap ? "on" : "absent", protections.umip ? "on" : "absent");
    x86_64::CpuArch& bsp = x86_64::cpu_arch(0);
    bsp.current_root = mm::kernel_page_table_root().value();
    sched::init_cpu(0, "kernel-main");
    ipc::install_kernel_hooks();
    sched::start_reaper();
    bsp.online = true;
    cpu::enable_interrupts();
    uint32_t cpus = x86_64::smp::start_application_processors();
    kprintln("smp: {} CPUs online", cpus);
    kprintln("sched: preemptive, {} ms quantum, per-CPU run queues, eager FPU/SSE switching",
             1000 / sched::TICK_HZ);
}

} // namespace

const BootInfo& boot_info() { return g_boot_info; }

} // namespace kernel

using namespace kernel;

// no_stack_protector: this frame lives through the guard's re-seeding below.
extern "C" [[noreturn, gnu::no_stack_protector]] void kernel_main(uint32_t magic,
                                                                  uint64_t info_phys) {
    __stack_chk_guard ^= cpu::rdtsc() * 0x9e3779b97f4a7c15;
    run_global_constructors();

    phase_boot(magic, info_phys);
    announce_phase(2, "memory");
    mm::init(g_boot_info);
    announce_phase(3, "interrupts");
    x86_64::init_interrupts(g_boot_info);
    cmos_clock::init(); // the TSC is calibrated now
    pci::init_pci();
    announce_phase(4, "scheduler");
    start_scheduler();
    announce_phase(5, "userspace");
    start_init(g_boot_info);
    kprintln(LogColour::Good, "boot complete");

    if (test_mode::active())
        test_mode::run_selected_suite();
    // The boot thread's work is done; this CPU goes on running everyone else's.
    sched::exit_current();
}
