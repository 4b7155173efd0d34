// The kernel's implementations of the hooks the hardware-free IPC and IRQ-line code calls:
// blocking and waking through the scheduler (kernel/sched/blocking.h) and masking through the
// I/O APIC (kernel/irq/irq.h). Installed once at boot, after the scheduler runs on CPU 0.
#pragma once

#include "kernel/object/irq_line.h"

namespace kernel::ipc {

void install_kernel_hooks();

// For IrqLine::create (kernel/irq/irq_lines.cpp).
object::IrqHooks& kernel_irq_hooks();

} // namespace kernel::ipc
