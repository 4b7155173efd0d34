#include "kernel/dev/serial.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::serial {

namespace {

constexpr uint16_t COM1 = 0x3f8;
// Register offsets from the 16550 data sheet.
constexpr uint16_t DATA = 0, INTERRUPT_ENABLE = 1, FIFO_CONTROL = 2, LINE_CONTROL = 3,
                   MODEM_CONTROL = 4, LINE_STATUS = 5;
constexpr uint8_t LINE_STATUS_DATA_READY = 1 << 0, LINE_STATUS_THR_EMPTY = 1 << 5;
constexpr uint8_t INTERRUPT_RECEIVED_DATA = 1 << 0;
static_assert(COM1 + DATA == TRANSMIT_PORT);
constexpr uint8_t LOOPBACK_PROBE = 0xae;

bool g_present = false;

void put(char c) {
    // Bounded wait: a UART that stops draining must not hang the kernel's logging forever.
    for (int spins = 0; spins < 100000; ++spins)
        if (cpu::in8(COM1 + LINE_STATUS) & LINE_STATUS_THR_EMPTY)
            break;
    cpu::out8(COM1 + DATA, uint8_t(c));
}

} // namespace

bool init() {
    cpu::out8(COM1 + INTERRUPT_ENABLE, 0x00);
    cpu::out8(COM1 + LINE_CONTROL, 0x80); // DLAB: the next two registers are the divisor
    cpu::out8(COM1 + DATA, 1);            // 115200 / 1
    cpu::out8(COM1 + INTERRUPT_ENABLE, 0);
    cpu::out8(COM1 + LINE_CONTROL, 0x03);  // 8 data bits, no parity, one stop bit
    cpu::out8(COM1 + FIFO_CONTROL, 0xc7);  // enable and clear FIFOs, 14-byte threshold
    cpu::out8(COM1 + MODEM_CONTROL, 0x1e); // loopback mode for the self-check
    cpu::out8(COM1 + DATA, LOOPBACK_PROBE);
    if (cpu::in8(COM1 + DATA) != LOOPBACK_PROBE) {
        g_present = false; // an absent port reads 0xff: keep logging on the framebuffer alone
        return false;
    }
    cpu::out8(COM1 + MODEM_CONTROL, 0x0f); // normal operation: DTR, RTS, OUT1, OUT2
    g_present = true;
    return true;
}

bool present() { return g_present; }

void set_receive_interrupt(bool enabled) {
    if (g_present)
        cpu::out8(COM1 + INTERRUPT_ENABLE, enabled ? INTERRUPT_RECEIVED_DATA : 0);
}

int read_byte() {
    if (!g_present || !(cpu::in8(COM1 + LINE_STATUS) & LINE_STATUS_DATA_READY))
        return -1;
    return cpu::in8(COM1 + DATA);
}

void write(lib::StringView text) {
    if (!g_present)
        return;
    for (char c : text) {
        if (c == '\n')
            put('\r'); // terminals want CR LF; log readers strip the CR
        put(c);
    }
}

} // namespace kernel::serial
