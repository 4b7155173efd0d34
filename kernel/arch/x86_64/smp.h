// Symmetric multiprocessing: starts every application processor the MADT lists, each with its
// own GDT, TSS, IST stacks and LAPIC timer, and hands it to the scheduler.
#pragma once

#include <cstdint>

namespace kernel::x86_64::smp {

// On the boot processor, after the scheduler runs on it. Returns the number of CPUs online.
uint32_t start_application_processors();

} // namespace kernel::x86_64::smp
