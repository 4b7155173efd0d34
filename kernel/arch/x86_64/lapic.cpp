#include "kernel/arch/x86_64/lapic.h"

#include <algorithm>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/msr.h"
#include "kernel/arch/x86_64/pit.h"
#include "kernel/arch/x86_64/vectors.h"
#include "kernel/debug/panic.h"
#include "kernel/mm/memory.h"

namespace kernel::x86_64::lapic {

namespace {

// Register offsets in the xAPIC page (SDM Vol. 3A, Table 11-1); x2APIC MSR = 0x800 + offset/16.
constexpr uint32_t REG_ID = 0x20, REG_TPR = 0x80, REG_EOI = 0xb0, REG_SPURIOUS = 0xf0,
                   REG_ESR = 0x280, REG_LVT_TIMER = 0x320, REG_LVT_LINT0 = 0x350,
                   REG_LVT_LINT1 = 0x360, REG_LVT_ERROR = 0x370, REG_TIMER_INITIAL = 0x380,
                   REG_TIMER_CURRENT = 0x390, REG_TIMER_DIVIDE = 0x3e0, REG_ICR_LOW = 0x300,
                   REG_ICR_HIGH = 0x310;
constexpr uint32_t X2APIC_ICR_MSR = 0x830; // one 64-bit register in x2APIC mode
// Interrupt command register fields (SDM Vol. 3A, 11.6.1).
constexpr uint32_t ICR_DELIVERY_INIT = 0b101 << 8, ICR_DELIVERY_STARTUP = 0b110 << 8;
constexpr uint32_t ICR_LEVEL_ASSERT = 1 << 14, ICR_PENDING = 1 << 12;
constexpr uint32_t SPURIOUS_APIC_ENABLE = 1 << 8;
constexpr uint32_t LVT_MASKED = 1 << 16;
constexpr uint32_t LVT_DELIVERY_NMI = 0b100 << 8;
constexpr uint32_t LVT_TIMER_PERIODIC = 1 << 17;
constexpr uint32_t TIMER_DIVIDE_16 = 0b0011; // DCR bits 0,1,3: 011 -> divide by 16
constexpr uint64_t TIMER_DIVISOR = 16;
constexpr uint64_t APIC_BASE_ENABLE = 1 << 11, APIC_BASE_X2APIC = 1 << 10;

volatile uint32_t* g_mmio = nullptr;
bool g_x2apic = false;
Calibration g_calibration;

uint32_t read(uint32_t reg) {
    if (g_x2apic)
        return uint32_t(cpu::rdmsr(0x800 + reg / 16));
    // g_mmio maps the APIC's 4 KiB register page; reg is one of the offsets above, inside it.
    return g_mmio[reg / 4];
}

void write(uint32_t reg, uint32_t value) {
    if (g_x2apic) {
        cpu::wrmsr(0x800 + reg / 16, value);
        return;
    }
    g_mmio[reg / 4] = value; // as in read(): a register inside the mapped page
}

// One reading of the three clocks. The PIT is read between two TSC reads; the reading whose
// bracket is narrowest is the one least disturbed (under emulation the virtual CPU can be
// descheduled at any instruction).
struct ClockSample {
    uint64_t tsc;
    uint32_t timer;
    uint16_t pit;
};

ClockSample sample_clocks() {
    ClockSample best{};
    uint64_t best_width = ~0ull;
    for (int attempt = 0; attempt < 4; ++attempt) {
        uint64_t before = cpu::rdtsc();
        uint16_t pit_count = pit::read_count();
        uint32_t timer = read(REG_TIMER_CURRENT);
        uint64_t after = cpu::rdtsc();
        if (after - before < best_width) {
            best_width = after - before;
            best = {before + (after - before) / 2, timer, pit_count};
        }
    }
    return best;
}

// ~17 ms of the PIT's 1.193182 MHz, out of a 55 ms countdown: a virtual CPU that the host
// deschedules for up to ~38 ms in the middle of a window still finds the count running.
constexpr uint16_t PIT_WINDOW_TICKS = 20000;

// Measures timer and TSC ticks against one PIT window. The window is read from the latched
// PIT count at both ends rather than from when OUT2 was noticed, so a delay in noticing does
// not lengthen it. False if the count ran out (the window could not be measured).
bool measure_window(uint64_t& timer_hz, uint64_t& tsc_hz) {
    write(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
    write(REG_LVT_TIMER, LVT_MASKED | vectors::LAPIC_TIMER); // one-shot, never delivered
    write(REG_TIMER_INITIAL, 0xffffffff);
    pit::start_countdown(0xffff);
    ClockSample start = sample_clocks();
    ClockSample end = start;
    while (uint16_t(start.pit - end.pit) < PIT_WINDOW_TICKS)
        end = sample_clocks();
    bool ran_out = pit::countdown_done(); // the count wrapped: the difference is unreliable
    write(REG_TIMER_INITIAL, 0);
    uint64_t pit_ticks = uint16_t(start.pit - end.pit);
    if (ran_out || pit_ticks == 0)
        return false;
    timer_hz = uint64_t(start.timer - end.timer) * TIMER_DIVISOR * pit::FREQUENCY_HZ / pit_ticks;
    tsc_hz = (end.tsc - start.tsc) * pit::FREQUENCY_HZ / pit_ticks;
    return true;
}

uint64_t median3(uint64_t a, uint64_t b, uint64_t c) {
    return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

// The median of three windows for each clock: one window disturbed by the host does not decide
// the calibration. A window whose countdown ran out is retried; a host so starved that no
// three windows in MAX_WINDOW_TRIES succeed leaves the clock unknown (zero) to the caller.
constexpr int MAX_WINDOW_TRIES = 64;

void measure_with_pit(uint64_t& timer_hz, uint64_t& tsc_hz) {
    uint64_t timer[3] = {}, tsc[3] = {};
    int measured = 0;
    for (int tries = 0; measured < 3 && tries < MAX_WINDOW_TRIES; ++tries)
        if (measure_window(timer[measured], tsc[measured]))
            ++measured;
    if (measured < 3)
        return;
    timer_hz = median3(timer[0], timer[1], timer[2]);
    tsc_hz = median3(tsc[0], tsc[1], tsc[2]);
}

} // namespace

lib::Result<> init(lib::PhysAddr base) {
    uint64_t apic_base = cpu::rdmsr(msr::APIC_BASE);
    g_x2apic = apic_base & APIC_BASE_X2APIC;
    if (!g_x2apic && g_mmio == nullptr) {
        lib::VirtAddr virt = TRY(mm::map_mmio(base, lib::PAGE_SIZE));
        // The mapping covers the APIC's register page; every access is a 32-bit aligned load
        // or store at one of the register offsets, as the SDM requires.
        g_mmio = reinterpret_cast<volatile uint32_t*>(virt.value());
    }
    cpu::wrmsr(msr::APIC_BASE, apic_base | APIC_BASE_ENABLE);
    write(REG_TPR, 0);
    write(REG_LVT_LINT0, LVT_MASKED);
    write(REG_LVT_LINT1, LVT_DELIVERY_NMI);
    write(REG_LVT_ERROR, vectors::LAPIC_ERROR);
    write(REG_LVT_TIMER, LVT_MASKED | vectors::LAPIC_TIMER);
    write(REG_SPURIOUS, SPURIOUS_APIC_ENABLE | vectors::SPURIOUS);
    write(REG_ESR, 0); // the ESR latches on a write; clear what the firmware left
    write(REG_ESR, 0);
    return {};
}

bool x2apic_mode() { return g_x2apic; }

uint32_t id() {
    uint32_t raw = read(REG_ID);
    return g_x2apic ? raw : raw >> 24;
}

void eoi() { write(REG_EOI, 0); }

namespace {

void send_command(uint32_t apic_id, uint32_t command) {
    if (g_x2apic) {
        cpu::wrmsr(X2APIC_ICR_MSR, (uint64_t(apic_id) << 32) | command);
        return;
    }
    // The write to the low half sends; the destination must be in place before it. Interrupts
    // stay off across both writes: an interrupt handler that sends an IPI of its own in between
    // would leave its destination in ICR_HIGH, and our command would go to its CPU instead.
    bool was_enabled = cpu::interrupts_enabled();
    cpu::disable_interrupts();
    write(REG_ICR_HIGH, apic_id << 24);
    write(REG_ICR_LOW, command);
    while (read(REG_ICR_LOW) & ICR_PENDING)
        cpu::pause();
    if (was_enabled)
        cpu::enable_interrupts();
}

} // namespace

void send_ipi(uint32_t apic_id, uint8_t vector) { send_command(apic_id, ICR_LEVEL_ASSERT | vector); }

void send_init(uint32_t apic_id) { send_command(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT); }

void send_startup(uint32_t apic_id, uint8_t page) {
    send_command(apic_id, ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | page);
}

uint32_t error_status() {
    write(REG_ESR, 0);
    return read(REG_ESR);
}

const Calibration& calibrate() {
    Calibration c;
    uint32_t max_leaf = cpu::cpuid(0).eax;
    if (max_leaf >= 0x15) {
        // EAX/EBX: TSC-to-crystal ratio; ECX: crystal Hz. The APIC timer runs on the crystal.
        auto leaf = cpu::cpuid(0x15);
        if (leaf.eax != 0 && leaf.ebx != 0 && leaf.ecx != 0) {
            c.timer_hz = leaf.ecx;
            c.timer_source = "cpuid 0x15";
            c.tsc_hz = uint64_t(leaf.ecx) * leaf.ebx / leaf.eax;
            c.tsc_source = "cpuid 0x15";
        }
    }
    if (c.timer_hz == 0 && max_leaf >= 0x16) {
        // ECX[15:0]: bus (reference) clock in MHz, which drives the APIC timer here.
        uint32_t bus_mhz = cpu::cpuid(0x16).ecx & 0xffff;
        if (bus_mhz != 0) {
            c.timer_hz = uint64_t(bus_mhz) * 1000000;
            c.timer_source = "cpuid 0x16";
        }
    }
    if (c.timer_hz == 0 || c.tsc_hz == 0) {
        uint64_t timer_hz = 0, tsc_hz = 0;
        measure_with_pit(timer_hz, tsc_hz);
        if (c.timer_hz == 0) {
            c.timer_hz = timer_hz;
            c.timer_source = "PIT";
        }
        if (c.tsc_hz == 0) {
            c.tsc_hz = tsc_hz;
            c.tsc_source = "PIT";
        }
    }
    // Every delay and every timer period derives from these: running on with a zero clock would
    // mean no timer tick and delays that end at once.
    if (c.timer_hz == 0 || c.tsc_hz == 0)
        PANIC("lapic: cannot calibrate the timer ({} Hz) or the TSC ({} Hz) against the PIT",
              c.timer_hz, c.tsc_hz);
    g_calibration = c;
    return g_calibration;
}

const Calibration& calibration() { return g_calibration; }

void start_periodic(uint32_t hz) {
    uint64_t count = g_calibration.timer_hz / TIMER_DIVISOR / hz;
    write(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
    write(REG_LVT_TIMER, LVT_TIMER_PERIODIC | vectors::LAPIC_TIMER);
    write(REG_TIMER_INITIAL, uint32_t(count > 0xffffffff ? 0xffffffff : (count ? count : 1)));
}

void start_one_shot(uint64_t nanoseconds) {
    uint64_t count = g_calibration.timer_hz / TIMER_DIVISOR * nanoseconds / 1000000000;
    write(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
    write(REG_LVT_TIMER, vectors::LAPIC_TIMER); // one-shot mode: bits 17-18 clear
    write(REG_TIMER_INITIAL, uint32_t(count > 0xffffffff ? 0xffffffff : (count ? count : 1)));
}

void stop_timer() {
    write(REG_TIMER_INITIAL, 0);
    write(REG_LVT_TIMER, LVT_MASKED | vectors::LAPIC_TIMER);
}

} // namespace kernel::x86_64::lapic
