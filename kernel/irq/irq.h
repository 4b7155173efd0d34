// Device interrupt registration: a handler (function + context) per GSI, programmed into the
// I/O APIC with the line's polarity and trigger mode and sent to the boot processor. Handlers
// run in interrupt context with interrupts off; the local APIC EOI follows the handler. IRQ
// capabilities build on this later.
#pragma once

#include <cstdint>

#include "kernel/acpi/madt.h"
#include "lib/result.h"

namespace kernel::irq {

using Handler = void (*)(void* context);

// Registers `handler` for `route.gsi` and unmasks it. Exists if the GSI already has a handler,
// NotFound if no I/O APIC serves it, InvalidArgument if it has no vector (GSI >= 64).
lib::Result<> register_handler(const acpi::IrqRoute& route, Handler handler, void* context);

// The same for ISA IRQ `isa_irq` (0-15), through the MADT's interrupt source overrides; returns
// the route it used (on QEMU, IRQ 0 arrives on GSI 2).
lib::Result<acpi::IrqRoute> register_isa_handler(uint8_t isa_irq, Handler handler, void* context);

// Masks or unmasks a GSI that has a handler (IRQ lines hold theirs masked while nobody waits).
// NotFound if it has no handler.
lib::Result<> set_masked(uint32_t gsi, bool masked);

// Masks the GSI and forgets its handler.
lib::Result<> unregister_handler(uint32_t gsi);

// How many interrupts the GSI has delivered.
uint64_t delivered(uint32_t gsi);

// Called by the architecture's dispatcher for a GSI's vector, before the EOI.
void dispatch_gsi(uint32_t gsi);

} // namespace kernel::irq
