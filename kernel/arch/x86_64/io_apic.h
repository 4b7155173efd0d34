// The I/O APICs: each routes its inputs (GSIs gsi_base .. gsi_base + inputs - 1) to local APIC
// vectors through one redirection entry per input. All entries start masked; the IRQ layer
// programs and unmasks the ones that get a handler.
#pragma once

#include <cstdint>

#include "kernel/acpi/madt.h"
#include "kernel/arch/x86_64/redirection_entry.h"
#include "lib/result.h"

namespace kernel::x86_64::io_apic {

// Maps every I/O APIC the MADT lists, reads its input count (recorded in `madt`), and masks
// all of its entries. Returns how many were set up.
lib::Result<unsigned> init(acpi::Madt& madt);

// Programs the entry of `gsi` (masked or not, as `entry` says). NotFound if no I/O APIC has it.
lib::Result<> set_entry(uint32_t gsi, const RedirectionEntry& entry);
lib::Result<RedirectionEntry> entry(uint32_t gsi);
lib::Result<> set_masked(uint32_t gsi, bool masked);

} // namespace kernel::x86_64::io_apic
