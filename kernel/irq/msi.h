// Message-signalled interrupts: a device writes `data` to `address` and the local APIC named in
// the address takes it as interrupt `vector` (Intel SDM Vol. 3A, section 11.11). The kernel
// hands out the vectors of MSI_BASE.. one at a time, each bound to a handler for the kernel's
// lifetime (the PciDevice that asked keeps its vectors across drivers), and sends them all to
// the boot processor, as it does the I/O APIC's.
#pragma once

#include <cstdint>

#include "kernel/irq/irq.h"
#include "lib/result.h"

namespace kernel::irq {

struct MsiMessage {
    uint64_t address; // 0xfee00000 with the destination APIC ID in bits 12..19
    uint32_t data;    // the vector; edge-triggered, fixed delivery
};

// A fresh vector bound to `handler(context)`; OutOfMemory when all MSI_COUNT are taken.
lib::Result<MsiMessage> allocate_msi(Handler handler, void* context);

// Called by the architecture's dispatcher for vector MSI_BASE + index, before the EOI.
void dispatch_msi(uint32_t index);

} // namespace kernel::irq
