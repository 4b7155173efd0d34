// IrqLine objects for real interrupt lines. Each GSI gets at most one IrqLine, created and bound
// to the GSI's handler on first use and kept for the kernel's lifetime (the kernel holds a
// reference, so the handler's context never dangles); capabilities to it are handed out from
// the returned reference. The line starts masked and Idle: only a waiter unmasks it.
#pragma once

#include <cstdint>

#include "kernel/acpi/madt.h"
#include "kernel/object/irq_line.h"

namespace kernel::irq {

// The line for `route.gsi`. Errors of register_handler (NotFound, InvalidArgument), OutOfMemory.
lib::Result<lib::RefPtr<object::IrqLine>> irq_line(const acpi::IrqRoute& route);

// The same for ISA IRQ `isa_irq`, routed through the MADT's overrides.
lib::Result<lib::RefPtr<object::IrqLine>> isa_irq_line(uint8_t isa_irq);

} // namespace kernel::irq
