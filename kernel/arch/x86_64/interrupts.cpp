#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/arch/x86_64/syscall_msrs.h"

#include "kernel/acpi/platform.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/io_apic.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/pic.h"
#include "kernel/debug/log.h"
#include "kernel/debug/panic.h"
#include "kernel/irq/tick.h"

namespace kernel::x86_64 {

void init_interrupts(const BootInfo& boot_info) {
    // CPUID leaf 1 EBX[31:24]: the initial APIC ID, readable before the APIC is mapped.
    uint32_t bsp_apic_id = cpu::cpuid(1).ebx >> 24;
    init_cpu(0, bsp_apic_id);
    init_syscall_msrs();
    idt::build();
    idt::load();
    kprintln("cpu: GDT and TSS loaded, IST stacks for #DF, NMI and #MC, IDT with 256 vectors");

    acpi::init_platform(boot_info, bsp_apic_id);
    acpi::Madt& madt = acpi::platform_madt();

    // Unconditionally: even without PCAT_COMPAT a masked 8259 costs nothing, and firmware may
    // have left one unmasked on vectors that are exceptions here.
    pic::remap_and_mask();

    if (auto ok = lapic::init(madt.local_apic_address()); !ok)
        PANIC("lapic: cannot map the local APIC at {}: {}", madt.local_apic_address(),
              mnos::error_name(ok.error()));
    if (lapic::x2apic_mode())
        cpu_arch(0).apic_id = lapic::id(); // x2APIC IDs may exceed CPUID's 8 bits
    const lapic::Calibration& c = lapic::calibrate();
    kprintln("lapic: id {}, {} mode, timer {} Hz bus clock ({}), tsc {} MHz ({})", lapic::id(),
             lapic::x2apic_mode() ? "x2APIC" : "xAPIC", c.timer_hz, c.timer_source,
             c.tsc_hz / 1000000, c.tsc_source);

    auto io_apics = io_apic::init(madt);
    if (!io_apics)
        PANIC("ioapic: cannot map an I/O APIC: {}", mnos::error_name(io_apics.error()));
    for (const acpi::IoApic& chip : madt.io_apics())
        kprintln("ioapic: id {} at {}, GSIs {}-{}", chip.id, chip.address, chip.gsi_base,
                 chip.gsi_base + chip.input_count - 1);

    lapic::start_periodic(irq::TICK_HZ);
    cpu::enable_interrupts();
    kprintln("interrupts: enabled, timer tick {} Hz", irq::TICK_HZ);
}

} // namespace kernel::x86_64
