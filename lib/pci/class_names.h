// Names for PCI class codes (PCI Code and ID Assignment Specification, revision 1.x, chapter 1),
// for the boot log: "SATA controller", "Host bridge".
#pragma once

#include <cstdint>

namespace lib::pci {

// The most specific name known: the subclass's (with the programming interface where that
// changes what the device is, such as USB's xHCI), else the class's, else "unknown class".
// Never null.
const char* class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if);

} // namespace lib::pci
