// Interrupt self-tests: test=timer (the tick runs at the calibrated rate; one-shot mode),
// test=exceptions (#UD, #DE, #BP, #GP, #PF read and write are reported and recovered from),
// test=double-fault (a kernel stack overflow is reported on the #DF IST stack, then panics),
// test=serial-irq (a byte sent to COM1 arrives through the I/O APIC), test=isa-override (the
// PIT's IRQ 0 arrives on the GSI the MADT's override names), test=nmi (an NMI from outside is
// reported on its IST stack).
#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/exception_info.h"
#include "kernel/arch/x86_64/exceptions.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/pit.h"
#include "kernel/acpi/platform.h"
#include "kernel/dev/serial.h"
#include "kernel/irq/irq.h"
#include "kernel/irq/tick.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memory.h"
#include "kernel/test/suites.h"

namespace kernel::test {

namespace {

using namespace kernel::x86_64;

uint64_t tsc_hz() { return lapic::calibration().tsc_hz; }

// Busy-waits `tsc_ticks` of the TSC with interrupts as they are. No hlt: if the interrupt this
// waits for never comes, the wait still ends and the check fails instead of hanging.
void spin_tsc(uint64_t tsc_ticks) {
    uint64_t start = cpu::rdtsc();
    while (cpu::rdtsc() - start < tsc_ticks)
        cpu::pause();
}

} // namespace

// ---- test=timer ------------------------------------------------------------------------------

void timer_suite(Context& ctx) {
    EXPECT(ctx, cpu::interrupts_enabled());
    EXPECT(ctx, tsc_hz() != 0);
    // Start on a tick boundary, then count ticks over one second of TSC time. Both clocks are
    // the guest's: the TSC (measured against the PIT) and the LAPIC timer (calibrated the same
    // way), so the check holds whatever the host's speed, unless one of them is wrong.
    uint64_t first = irq::ticks();
    spin_tsc(tsc_hz() / 10);
    EXPECT(ctx, irq::ticks() != first); // the tick runs at all (100 ms is ten ticks)
    uint64_t before = irq::ticks();
    while (irq::ticks() == before)
        cpu::pause();
    uint64_t start_ticks = irq::ticks();
    uint64_t start_tsc = cpu::rdtsc();
    spin_tsc(tsc_hz());
    uint64_t counted = irq::ticks() - start_ticks;
    uint64_t elapsed = cpu::rdtsc() - start_tsc;
    kprintln("selftest timer: {} ticks in {} TSC cycles (1 s at {} Hz); expected {} +-10%",
             counted, elapsed, tsc_hz(), irq::TICK_HZ);
    EXPECT(ctx, counted >= irq::TICK_HZ * 9 / 10 && counted <= irq::TICK_HZ * 11 / 10);

    // One-shot: armed for 20 ms, it fires exactly once in the next 100 ms.
    lapic::stop_timer();
    spin_tsc(tsc_hz() / 50); // let a tick already in flight land
    uint64_t stopped = irq::ticks();
    lapic::start_one_shot(20'000'000);
    spin_tsc(tsc_hz() / 10);
    uint64_t one_shot = irq::ticks() - stopped;
    kprintln("selftest timer: one-shot 20 ms timer fired {} time(s) in 100 ms", one_shot);
    EXPECT(ctx, one_shot == 1);
    lapic::start_periodic(irq::TICK_HZ);
}

// ---- test=exceptions -------------------------------------------------------------------------

namespace {

// Each trigger arms the expectation, then in ONE asm statement stores the continuation label
// (1:) as the resume address and executes the faulting instruction (at label 2:). `fault_at`
// receives label 2's address. The handler resumes at 1: with every register restored from the
// frame, so the clobbers listed are exactly what the asm itself changes.

FaultExpectation trigger_ud(uint64_t& fault_at) {
    FaultExpectation& e = expect_fault(vector::INVALID_OPCODE);
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "leaq 2f(%%rip), %1\n"
                 "2: ud2\n"
                 "1:"
                 : "=m"(e.resume_rip), "=&r"(fault_at)
                 :
                 : "rax", "memory");
    return finish_expected_fault();
}

FaultExpectation trigger_de(uint64_t& fault_at) {
    FaultExpectation& e = expect_fault(vector::DIVIDE_ERROR);
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "leaq 2f(%%rip), %1\n\t"
                 "xorl %%edx, %%edx\n\t"
                 "movl $1, %%eax\n\t"
                 "xorl %%ecx, %%ecx\n"
                 "2: divl %%ecx\n" // 1 / 0
                 "1:"
                 : "=m"(e.resume_rip), "=&r"(fault_at)
                 :
                 : "rax", "rcx", "rdx", "memory");
    return finish_expected_fault();
}

FaultExpectation trigger_bp(uint64_t& fault_at) {
    FaultExpectation& e = expect_fault(vector::BREAKPOINT);
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "leaq 2f(%%rip), %1\n"
                 "2: int3\n"
                 "1:"
                 : "=m"(e.resume_rip), "=&r"(fault_at)
                 :
                 : "rax", "memory");
    return finish_expected_fault();
}

// Loads a selector past the end of the GDT into DS: #GP with that selector as the error code.
// DS keeps its old value, since a faulting load does not change the register.
FaultExpectation trigger_gp(uint64_t& fault_at, uint16_t bad_selector) {
    FaultExpectation& e = expect_fault(vector::GENERAL_PROTECTION);
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "leaq 2f(%%rip), %1\n"
                 "2: movw %w2, %%ds\n"
                 "1:"
                 : "=m"(e.resume_rip), "=&r"(fault_at)
                 : "r"(uint32_t(bad_selector))
                 : "rax", "memory");
    return finish_expected_fault();
}

FaultExpectation trigger_pf_read(uint64_t& fault_at, uint64_t address) {
    FaultExpectation& e = expect_fault(vector::PAGE_FAULT);
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "leaq 2f(%%rip), %1\n"
                 "2: movq (%2), %%rax\n"
                 "1:"
                 : "=m"(e.resume_rip), "=&r"(fault_at)
                 : "r"(address)
                 : "rax", "memory");
    return finish_expected_fault();
}

FaultExpectation trigger_pf_write(uint64_t& fault_at, uint64_t address) {
    FaultExpectation& e = expect_fault(vector::PAGE_FAULT);
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "leaq 2f(%%rip), %1\n"
                 "2: movq %%rax, (%2)\n"
                 "1:"
                 : "=m"(e.resume_rip), "=&r"(fault_at)
                 : "r"(address)
                 : "rax", "memory");
    return finish_expected_fault();
}

void log_caught(const char* what, const FaultExpectation& e) {
    kprintln("selftest exceptions: {} caught at {:#018x}, error code {:#x}, cr2 {:#018x}, resumed",
             what, e.fault_rip, e.error_code, e.cr2);
}

} // namespace

void exceptions_suite(Context& ctx) {
    uint64_t at = 0;

    FaultExpectation ud = trigger_ud(at);
    log_caught("#UD", ud);
    EXPECT(ctx, ud.caught && ud.fault_rip == at);

    FaultExpectation de = trigger_de(at);
    log_caught("#DE", de);
    EXPECT(ctx, de.caught && de.fault_rip == at);

    // #BP is a trap: the saved RIP is after the one-byte int3.
    FaultExpectation bp = trigger_bp(at);
    log_caught("#BP", bp);
    EXPECT(ctx, bp.caught && bp.fault_rip == at + 1);

    constexpr uint16_t BAD_SELECTOR = 0x1230; // GDT index 0x246, far past the 8 entries
    FaultExpectation gp = trigger_gp(at, BAD_SELECTOR);
    log_caught("#GP", gp);
    SelectorError selector = decode_selector_error(gp.error_code);
    kprintln("selftest exceptions: #GP selector: {} index {:#x}, external {}",
             selector_table_name(selector.table), selector.index, selector.external);
    EXPECT(ctx, gp.caught && gp.fault_rip == at && gp.error_code == BAD_SELECTOR);
    EXPECT(ctx, selector.table == SelectorError::Table::Gdt && selector.index == 0x246 &&
                    !selector.external);

    // The guard of the last kernel stack slot: never mapped, by the layout's definition.
    uint64_t unmapped = mm::layout::stack_slot(mm::layout::STACK_SLOTS - 1).guard_base.value() +
                        0x100;
    FaultExpectation read = trigger_pf_read(at, unmapped);
    log_caught("#PF read", read);
    PageFaultError r = decode_page_fault(read.error_code);
    kprintln("selftest exceptions: #PF read: present {}, write {}, user {}, reserved {}, fetch {}",
             r.present, r.write, r.user, r.reserved_bit, r.instruction_fetch);
    EXPECT(ctx, read.caught && read.fault_rip == at && read.cr2 == unmapped);
    EXPECT(ctx, !r.present && !r.write && !r.user && !r.reserved_bit && !r.instruction_fetch);

    FaultExpectation write = trigger_pf_write(at, unmapped + 8);
    log_caught("#PF write", write);
    PageFaultError w = decode_page_fault(write.error_code);
    kprintln("selftest exceptions: #PF write: present {}, write {}, user {}, reserved {}, fetch {}",
             w.present, w.write, w.user, w.reserved_bit, w.instruction_fetch);
    EXPECT(ctx, write.caught && write.fault_rip == at && write.cr2 == unmapped + 8);
    EXPECT(ctx, !w.present && w.write && !w.user && !w.reserved_bit && !w.instruction_fetch);

    // Disarmed: nothing is left expecting a fault.
    EXPECT(ctx, this_cpu().expected_fault.vector == FaultExpectation::NONE);
}

// ---- test=double-fault -----------------------------------------------------------------------

namespace {

volatile bool g_keep_recursing = true; // volatile: the recursion must not look infinite

[[gnu::noinline]] uint64_t recurse(uint64_t depth) {
    volatile uint8_t frame[256]; // 256+ bytes per level: 32 KiB run out after ~120 levels
    frame[0] = uint8_t(depth);
    if (!g_keep_recursing)
        return frame[0];
    return recurse(depth + 1) + frame[0]; // not a tail call: every level keeps its frame
}

} // namespace

void double_fault_suite(Context& ctx) {
    auto stack = mm::allocate_kernel_stack();
    EXPECT(ctx, stack.has_value());
    if (!stack)
        return;
    kprintln("selftest double-fault: recursing on kernel stack slot {} ({:#018x}-{:#018x}), "
             "guard below", stack->slot, stack->bottom.value(), stack->top.value());
    // Switches RSP to the guarded stack and recurses until the guard page is hit. That #PF
    // cannot push its frame onto the guard either, so the CPU raises #DF, which runs on IST1
    // and panics; this asm never returns, so no register state needs to survive it.
    asm volatile("movq %0, %%rsp\n\t"
                 "xorl %%ebp, %%ebp\n\t"
                 "xorl %%edi, %%edi\n\t"
                 "call *%1\n\t"
                 "ud2"
                 :
                 : "r"(stack->top.value()), "r"(&recurse)
                 : "memory");
    __builtin_unreachable();
}

// ---- test=serial-irq -------------------------------------------------------------------------

namespace {

std::atomic<int> g_received{-1};
std::atomic<uint32_t> g_serial_interrupts{0};

void on_com1_interrupt(void*) {
    g_serial_interrupts.fetch_add(1, std::memory_order_relaxed);
    // Reading the byte clears the UART's interrupt condition.
    for (int byte = serial::read_byte(); byte >= 0; byte = serial::read_byte())
        g_received.store(byte, std::memory_order_release);
}

} // namespace

void serial_irq_suite(Context& ctx) {
    constexpr uint8_t COM1_ISA_IRQ = 4;
    // Drop anything received before now (the loopback probe), so only a new byte counts.
    while (serial::read_byte() >= 0) {
    }
    auto route = irq::register_isa_handler(COM1_ISA_IRQ, on_com1_interrupt, nullptr);
    EXPECT(ctx, route.has_value());
    if (!route)
        return;
    serial::set_receive_interrupt(true);
    kprintln("selftest serial-irq: ISA IRQ 4 -> GSI {} ({}, {}), waiting for a byte on COM1",
             route->gsi, route->active_low ? "active low" : "active high",
             route->level_triggered ? "level" : "edge");
    uint64_t start = cpu::rdtsc();
    while (g_received.load(std::memory_order_acquire) < 0 && cpu::rdtsc() - start < 20 * tsc_hz())
        cpu::halt(); // interrupts are on: the UART's IRQ or the next tick wakes us
    serial::set_receive_interrupt(false);
    int byte = g_received.load(std::memory_order_acquire);
    EXPECT(ctx, byte >= 0);
    EXPECT(ctx, irq::delivered(route->gsi) > 0);
    if (byte >= 0)
        kprintln("selftest serial-irq: received {:#04x} '{}' by interrupt ({} interrupt(s))",
                 byte, char(byte >= 0x20 && byte < 0x7f ? byte : '?'), g_serial_interrupts.load());
    EXPECT(ctx, irq::unregister_handler(route->gsi).has_value());
}

// ---- test=isa-override ----------------------------------------------------------------------

namespace {
std::atomic<uint32_t> g_irq0_count{0};
void on_irq0(void*) { g_irq0_count.fetch_add(1, std::memory_order_relaxed); }
} // namespace

void isa_override_suite(Context& ctx) {
    auto expected = acpi::platform_madt().isa_irq_route(0);
    EXPECT(ctx, expected.has_value());
    // Programmed before the line is unmasked, so whatever mode the firmware left running
    // cannot deliver first: from here on channel 0 makes exactly one edge.
    pit::start_channel0_one_shot(11932); // 10 ms
    auto route = irq::register_isa_handler(0, on_irq0, nullptr);
    EXPECT(ctx, route.has_value());
    if (!route || !expected)
        return;
    EXPECT(ctx, *route == *expected);
    spin_tsc(tsc_hz() / 10);
    uint32_t count = g_irq0_count.load();
    bool overridden = false;
    for (const acpi::InterruptOverride& o : acpi::platform_madt().overrides())
        overridden |= o.bus == 0 && o.source == 0;
    kprintln("selftest isa-override: ISA IRQ 0 -> GSI {} (override: {}), {} interrupt(s) from "
             "one PIT countdown", route->gsi, overridden ? "yes" : "no", count);
    EXPECT(ctx, count == 1);
    EXPECT(ctx, irq::delivered(route->gsi) == 1);
    EXPECT(ctx, irq::unregister_handler(route->gsi).has_value());
}

// ---- test=nmi -------------------------------------------------------------------------------

// Waits for an NMI from outside (the boot test uses QEMU's monitor command "nmi"). The NMI is
// reported on its IST stack and panics, so passing this suite means the NMI never came.
void nmi_suite(Context& ctx) {
    kprintln("selftest nmi: waiting for an NMI");
    spin_tsc(20 * tsc_hz());
    EXPECT(ctx, false); // no NMI within 20 s
}

} // namespace kernel::test
