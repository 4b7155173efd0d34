// ps2_keyboard: the i8042's keyboard port in Ring 3, through the two capabilities its manifest
// entry grants: an IoPort over 0x60..0x64 (data at 0x60, status and command at 0x64) and the
// IrqLine of ISA IRQ 1. Interrupt-driven: one thread waits on the IrqLine, reads what the
// controller holds, translates scan code set 1 (lib/input/scancode.h) into terminal bytes and
// pushes them to the console service's input endpoint (docs/console.md).
#include "abi/init.h"
#include "lib/input/scancode.h"
#include "user/libmnos/console_input.h"
#include "user/libmnos/print.h"

namespace {

using mnos::CapSlot;
namespace sys = mnos::sys;

constexpr CapSlot PORTS{mnos::service_caps::FIRST_GRANT};
constexpr CapSlot IRQ{mnos::service_caps::FIRST_GRANT + 1};
constexpr CapSlot CONSOLE_INPUT{mnos::CNODE_SLOTS - 1};

// The i8042's ports and bits (the IBM PC/AT technical reference; QEMU models the same).
constexpr uint16_t DATA = 0x60;
constexpr uint16_t STATUS = 0x64;  // on read
constexpr uint16_t COMMAND = 0x64; // on write
constexpr uint8_t STATUS_OUTPUT_FULL = 0x01; // a byte waits at DATA
constexpr uint8_t STATUS_INPUT_FULL = 0x02;  // the controller has not taken our last byte
constexpr uint8_t STATUS_FROM_MOUSE = 0x20;  // that byte came from the auxiliary port
constexpr uint8_t READ_CONFIG = 0x20, WRITE_CONFIG = 0x60;
constexpr uint8_t CONFIG_KEYBOARD_IRQ = 0x01;   // IRQ 1 when a keyboard byte arrives
constexpr uint8_t CONFIG_KEYBOARD_CLOCK_OFF = 0x10;
constexpr uint8_t CONFIG_TRANSLATE = 0x40;      // set 2 from the keyboard becomes set 1

// The controller answers within microseconds; a bound keeps a missing one from hanging setup.
// Only the setup waits like this: keys come by interrupt.
constexpr int CONTROLLER_PATIENCE = 100000;
// The controller holds one byte, the keyboard a small queue; more than this at once is a stuck
// status bit, not typing.
constexpr int MAX_BYTES_PER_INTERRUPT = 64;

lib::Result<uint8_t> in(uint16_t port) {
    uint64_t value = TRY(sys::port_in(PORTS, port, 1));
    return uint8_t(value);
}

lib::Result<void> wait_status(uint8_t bit, bool set) {
    for (int i = 0; i < CONTROLLER_PATIENCE; ++i) {
        uint8_t status = TRY(in(STATUS));
        if (bool(status & bit) == set)
            return {};
    }
    return lib::fail(mnos::Error::Timeout);
}

lib::Result<void> write_to(uint16_t port, uint8_t value) {
    TRY(wait_status(STATUS_INPUT_FULL, false));
    return sys::port_out(PORTS, port, 1, value);
}

// Drops what the controller held from before we ran (the firmware's and the kernel's era).
lib::Result<void> flush() {
    for (int i = 0; i < MAX_BYTES_PER_INTERRUPT; ++i) {
        uint8_t status = TRY(in(STATUS));
        if (!(status & STATUS_OUTPUT_FULL))
            break;
        (void)TRY(in(DATA));
    }
    return {};
}

// The keyboard port's interrupt on, its clock on and translation to set 1 on, whatever the
// firmware left.
lib::Result<uint8_t> configure() {
    TRY(flush());
    TRY(write_to(COMMAND, READ_CONFIG));
    TRY(wait_status(STATUS_OUTPUT_FULL, true));
    uint8_t config = TRY(in(DATA));
    uint8_t wanted = uint8_t((config | CONFIG_KEYBOARD_IRQ | CONFIG_TRANSLATE) &
                             ~CONFIG_KEYBOARD_CLOCK_OFF);
    if (wanted != config) {
        TRY(write_to(COMMAND, WRITE_CONFIG));
        TRY(write_to(DATA, wanted));
    }
    TRY(flush()); // a key pressed meanwhile raised no interrupt we will see
    return wanted;
}

// Everything the controller holds now, translated into `out` (room for the most it can give).
size_t read_keys(lib::input::ScancodeDecoder& decoder, char* out) {
    size_t count = 0;
    for (int i = 0; i < MAX_BYTES_PER_INTERRUPT; ++i) {
        auto status = in(STATUS);
        if (!status || !(*status & STATUS_OUTPUT_FULL))
            break;
        auto code = in(DATA);
        if (!code || (*status & STATUS_FROM_MOUSE))
            continue;
        char bytes[lib::input::ScancodeDecoder::MAX_OUTPUT];
        size_t n = decoder.feed(*code, bytes);
        for (size_t b = 0; b < n; ++b)
            out[count++] = bytes[b];
    }
    return count;
}

} // namespace

int main(int, char**) {
    auto config = configure();
    if (!config) {
        mnos::println("ps2_keyboard: no i8042 answering: {}", mnos::error_name(config.error()));
        return 1;
    }
    mnos::println("ps2_keyboard: i8042 keyboard, scan code set 1, interrupt-driven (IRQ 1)");
    lib::input::ScancodeDecoder decoder;
    mnos::ConsoleInput console(CONSOLE_INPUT);
    while (true) {
        if (auto fired = sys::wait_irq(IRQ); !fired) {
            mnos::println("ps2_keyboard: waiting for IRQ 1 failed: {}",
                          mnos::error_name(fired.error()));
            return 1;
        }
        char keys[MAX_BYTES_PER_INTERRUPT * lib::input::ScancodeDecoder::MAX_OUTPUT];
        (void)console.push(keys, read_keys(decoder, keys));
    }
}
