#include "kernel/arch/x86_64/pit.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::x86_64::pit {

namespace {
constexpr uint16_t CHANNEL0_DATA = 0x40, CHANNEL2_DATA = 0x42, MODE_COMMAND = 0x43, PORT_B = 0x61;
constexpr uint8_t PORT_B_GATE2 = 1 << 0, PORT_B_SPEAKER = 1 << 1, PORT_B_OUT2 = 1 << 5;
// Channel 2, access lobyte/hibyte, mode 0 (interrupt on terminal count), binary.
constexpr uint8_t CHANNEL2_MODE0 = 0b10'11'000'0;
constexpr uint8_t CHANNEL0_MODE0 = 0b00'11'000'0;
// Channel 2, counter latch command.
constexpr uint8_t CHANNEL2_LATCH = 0b10'00'0000;
} // namespace

void start_countdown(uint16_t count) {
    // Gate low while programming (counting is suspended), speaker off.
    uint8_t b = cpu::in8(PORT_B);
    cpu::out8(PORT_B, uint8_t(b & ~(PORT_B_GATE2 | PORT_B_SPEAKER)));
    cpu::out8(MODE_COMMAND, CHANNEL2_MODE0); // OUT2 goes low until the count expires
    cpu::out8(CHANNEL2_DATA, uint8_t(count));
    cpu::out8(CHANNEL2_DATA, uint8_t(count >> 8));
    // Gate high: counting starts now.
    cpu::out8(PORT_B, uint8_t((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
}

bool countdown_done() { return cpu::in8(PORT_B) & PORT_B_OUT2; }

void start_channel0_one_shot(uint16_t count) {
    cpu::out8(MODE_COMMAND, CHANNEL0_MODE0); // OUT0 low until the count expires
    cpu::out8(CHANNEL0_DATA, uint8_t(count));
    cpu::out8(CHANNEL0_DATA, uint8_t(count >> 8));
}

uint16_t read_count() {
    cpu::out8(MODE_COMMAND, CHANNEL2_LATCH);
    uint8_t low = cpu::in8(CHANNEL2_DATA);
    uint8_t high = cpu::in8(CHANNEL2_DATA);
    return uint16_t(low | (high << 8));
}

} // namespace kernel::x86_64::pit
