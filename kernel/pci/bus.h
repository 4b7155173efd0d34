// PCI at boot: the kernel picks the configuration access mechanism (ECAM through the MCFG on
// q35, the 0xCF8/0xCFC ports on pc or without an MCFG), enumerates every bus reachable from
// the root through lib/pci and logs each function: "pci: 00:1f.2 8086:2922 SATA controller".
// Why the kernel does this rather than a Ring 3 bus service: docs/pci.md.
#pragma once

#include "lib/pci/config_space.h"
#include "lib/pci/enumerate.h"

namespace kernel::pci {

// Phase 3, after ACPI: needs the MCFG and map_mmio. Runs on the boot CPU alone.
void init_pci();

// What init_pci found (empty before it ran).
const lib::pci::Inventory& inventory();

// The mechanism init_pci chose, for later configuration access (null when there is none).
lib::pci::ConfigSpace* config_space();

} // namespace kernel::pci
