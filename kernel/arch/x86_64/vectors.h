// The interrupt vector map (see docs/interrupts.md). A vector's priority class is vector >> 4,
// so the timer and IPIs sit above device interrupts.
#pragma once

#include <cstdint>

namespace kernel::x86_64::vectors {

inline constexpr unsigned EXCEPTIONS_END = 32; // 0..31: CPU exceptions
// 0x20..0x5f: I/O APIC inputs, vector = GSI_BASE + GSI. (The masked 8259s are remapped onto
// 0x20..0x2f too; they cannot deliver anything because LINT0 is masked.)
inline constexpr unsigned GSI_BASE = 0x20;
inline constexpr unsigned GSI_COUNT = 64;
inline constexpr unsigned LEGACY_PIC_MASTER = 0x20;
inline constexpr unsigned LEGACY_PIC_SLAVE = 0x28;
// 0x60..0xdf: message-signalled interrupts (MSI-X, MSI), handed out one by one (kernel/irq/msi.h).
inline constexpr unsigned MSI_BASE = 0x60;
inline constexpr unsigned MSI_COUNT = 0x80;
inline constexpr unsigned LAPIC_TIMER = 0xe0;
inline constexpr unsigned IPI_FIRST = 0xf0; // 0xf0..0xfd reserved for inter-processor interrupts
inline constexpr unsigned IPI_LAST = 0xfd;
inline constexpr unsigned IPI_RESCHEDULE = 0xf0;     // "your run queue changed": reschedule
inline constexpr unsigned IPI_TLB_SHOOTDOWN = 0xf1;  // invalidate the pages in the request
inline constexpr unsigned LAPIC_ERROR = 0xfe;
inline constexpr unsigned SPURIOUS = 0xff;
inline constexpr unsigned COUNT = 256;

static_assert(GSI_BASE >= EXCEPTIONS_END && GSI_BASE + GSI_COUNT <= MSI_BASE);
static_assert(MSI_BASE + MSI_COUNT <= LAPIC_TIMER);

} // namespace kernel::x86_64::vectors
