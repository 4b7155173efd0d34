// The local APIC of the running CPU: enable, EOI, and its timer. xAPIC registers are reached
// through MMIO; if the firmware left the APIC in x2APIC mode, through MSRs instead (the same
// register numbers, SDM Vol. 3A, 11.12.1.2).
#pragma once

#include <cstdint>

#include "lib/address.h"
#include "lib/result.h"

namespace kernel::x86_64::lapic {

// Maps the registers (first call only), enables the APIC through the spurious-vector register
// with vector 0xff, accepts every priority, masks LINT0 (the 8259s' ExtINT path), makes LINT1
// the NMI input and routes APIC errors to their vector. Runs on each CPU.
lib::Result<> init(lib::PhysAddr base);

bool x2apic_mode();
uint32_t id();
// End of interrupt for the interrupt in service. Not for the spurious vector.
void eoi();
// Inter-processor interrupts, by destination APIC ID. send_init and send_startup are the
// INIT-SIPI-SIPI sequence that starts an application processor at physical page << 12.
void send_ipi(uint32_t apic_id, uint8_t vector);
void send_init(uint32_t apic_id);
void send_startup(uint32_t apic_id, uint8_t page);

// Reads (and clears) the error status register.
uint32_t error_status();

// What the calibration found: the timer's input clock (before the divider; the "bus clock" on
// older CPUs, the crystal on newer ones) and the TSC frequency, each with where it came from.
struct Calibration {
    uint64_t timer_hz = 0;
    uint64_t tsc_hz = 0;
    const char* timer_source = "none";
    const char* tsc_source = "none";
};

// Once, on the boot processor: CPUID leaf 0x15 (and 0x16 for the bus clock) when they report
// the frequencies; whatever CPUID left unknown is measured against the PIT's channel 2 (the
// median of three ~17 ms windows, each read from the latched PIT count). Panics if a clock stays
// unknown: nothing timed can work without it.
const Calibration& calibrate();
const Calibration& calibration();

// Timer modes. The count runs at timer_hz / 16 (divide configuration 16).
void start_periodic(uint32_t hz);
void start_one_shot(uint64_t nanoseconds);
void stop_timer();

} // namespace kernel::x86_64::lapic
