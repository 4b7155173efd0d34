#include "kernel/arch/x86_64/pic.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/vectors.h"

namespace kernel::x86_64::pic {

namespace {
constexpr uint16_t MASTER_COMMAND = 0x20, MASTER_DATA = 0x21;
constexpr uint16_t SLAVE_COMMAND = 0xa0, SLAVE_DATA = 0xa1;
constexpr uint8_t ICW1_INIT_WITH_ICW4 = 0x11;
constexpr uint8_t ICW4_8086 = 0x01;

// Old 8259s need time between initialisation words; a write to the unused port 0x80 is the
// customary ~1 us delay.
void io_wait() { cpu::out8(0x80, 0); }
} // namespace

void remap_and_mask() {
    // The initialisation sequence ICW1..ICW4 (8259A datasheet): ICW2 is the vector base, ICW3
    // says the slave hangs off the master's IRQ 2.
    cpu::out8(MASTER_COMMAND, ICW1_INIT_WITH_ICW4);
    io_wait();
    cpu::out8(SLAVE_COMMAND, ICW1_INIT_WITH_ICW4);
    io_wait();
    cpu::out8(MASTER_DATA, vectors::LEGACY_PIC_MASTER);
    io_wait();
    cpu::out8(SLAVE_DATA, vectors::LEGACY_PIC_SLAVE);
    io_wait();
    cpu::out8(MASTER_DATA, 1 << 2);
    io_wait();
    cpu::out8(SLAVE_DATA, 2);
    io_wait();
    cpu::out8(MASTER_DATA, ICW4_8086);
    io_wait();
    cpu::out8(SLAVE_DATA, ICW4_8086);
    io_wait();
    cpu::out8(MASTER_DATA, 0xff); // OCW1: mask every input
    cpu::out8(SLAVE_DATA, 0xff);
}

} // namespace kernel::x86_64::pic
