// The legacy 8259A pair. The kernel uses the I/O APIC, so the 8259s are remapped away from the
// exception vectors (a spurious IRQ 7 would otherwise look like #DF) and fully masked.
#pragma once

namespace kernel::x86_64::pic {

void remap_and_mask();

} // namespace kernel::x86_64::pic
