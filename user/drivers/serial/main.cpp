// serial_drv: COM1 (a 16550 UART) in Ring 3, through the two capabilities its manifest entry
// grants: the IoPort over 0x3f8..0x3ff and the IrqLine of ISA IRQ 4. 115200 baud, 8N1, FIFOs on.
// Both directions are interrupt-driven (docs/console.md):
//  - receive: the interrupt thread moves bytes from the FIFO into a ring and signals the
//    forwarder, which pushes them to the console service's input endpoint;
//  - transmit: Write requests fill a ring and enable the transmitter-empty interrupt; the
//    interrupt thread refills the 16-byte FIFO each time it drains, and turns that interrupt
//    off when the ring is empty. A writer that finds the ring full waits on a notification
//    until the interrupt thread has made room, so nobody spins.
// The kernel keeps its own direct path to the UART for its log and panics (docs/console.md).
#include "abi/console.h"
#include "abi/init.h"
#include "lib/byte_ring.h"
#include "user/libmnos/console_input.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/spin_lock.h"
#include "user/libmnos/thread.h"

namespace {

using mnos::CapSlot;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot PORTS{mnos::service_caps::FIRST_GRANT};
constexpr CapSlot IRQ{mnos::service_caps::FIRST_GRANT + 1};
constexpr CapSlot WINDOW{mnos::CNODE_SLOTS - 1};
constexpr CapSlot CONSOLE_INPUT{mnos::CNODE_SLOTS - 2};

// The UART's registers, from its base port (the 16550's data sheet).
constexpr uint16_t BASE = 0x3f8;
constexpr uint16_t DATA = BASE + 0;        // RBR / THR (DLL while DLAB is set)
constexpr uint16_t INTERRUPTS = BASE + 1;  // IER (DLM while DLAB is set)
constexpr uint16_t IDENTITY = BASE + 2;    // IIR on read, FCR on write
constexpr uint16_t LINE_CONTROL = BASE + 3;
constexpr uint16_t MODEM_CONTROL = BASE + 4;
constexpr uint16_t LINE_STATUS = BASE + 5;
constexpr uint16_t MODEM_STATUS = BASE + 6;

constexpr uint8_t IER_RECEIVED = 0x01, IER_TRANSMIT_EMPTY = 0x02;
constexpr uint8_t LSR_DATA_READY = 0x01;
constexpr uint8_t IIR_NONE_PENDING = 0x01;
constexpr size_t FIFO_DEPTH = 16;

uint8_t in(uint16_t port) {
    auto value = sys::port_in(PORTS, port, 1);
    return value ? uint8_t(*value) : 0xff;
}
void out(uint16_t port, uint8_t value) { (void)sys::port_out(PORTS, port, 1, value); }

struct Uart {
    mnos::SpinLock lock;
    lib::ByteRing<4096> transmit;  // under lock
    lib::ByteRing<1024> receive;   // under lock
    bool transmitting = false;     // under lock: IER has the transmit-empty interrupt on
    size_t writers_waiting = 0;    // under lock
    CapSlot room;                  // signalled when transmit has room again
    CapSlot received;              // signalled when receive has bytes
    uint64_t overruns = 0;         // bytes dropped because nobody took them in time
};

Uart g_uart;

void configure() {
    out(INTERRUPTS, 0);
    out(LINE_CONTROL, 0x80); // DLAB: the next two ports are the divisor
    out(DATA, 1);            // 115200 / 1
    out(INTERRUPTS, 0);
    out(LINE_CONTROL, 0x03);  // 8 data bits, no parity, 1 stop bit
    out(IDENTITY, 0x07);      // FIFOs on and cleared; interrupt at the first received byte
    out(MODEM_CONTROL, 0x0b); // DTR, RTS and OUT2, which gates the UART's interrupt line
    (void)in(LINE_STATUS);
    (void)in(DATA);
    (void)in(MODEM_STATUS);
    out(INTERRUPTS, IER_RECEIVED);
}

// Up to a FIFO's worth from the ring; the interrupt goes off once the ring is empty.
void refill_fifo_locked() {
    for (size_t i = 0; i < FIFO_DEPTH && !g_uart.transmit.is_empty(); ++i)
        out(DATA, g_uart.transmit.pop());
    if (g_uart.transmit.is_empty() && g_uart.transmitting) {
        g_uart.transmitting = false;
        out(INTERRUPTS, IER_RECEIVED);
    }
}

// Everything the UART has pending, until IIR says nothing is: only then does its interrupt
// line drop, so that the next event is a new edge. A UART that keeps asserting is left after
// a bounded number of rounds (a full transmit ring alone takes 256 of them), with its interrupt
// re-armed: clearing IER drops the line and setting it again raises it while a cause remains,
// a new edge that brings this thread back, instead of a line held high that never interrupts
// again.
constexpr int ROUNDS_PER_INTERRUPT = 512;
constexpr size_t RECEIVED_PER_ROUND = 256;

void handle_interrupt() {
    bool got_bytes = false;
    bool made_room = false;
    {
        mnos::LockGuard guard(g_uart.lock);
        bool drained = false;
        for (int rounds = 0; rounds < ROUNDS_PER_INTERRUPT && !drained; ++rounds) {
            uint8_t identity = in(IDENTITY);
            if (identity & IIR_NONE_PENDING) {
                drained = true;
                break;
            }
            switch (identity & 0x0e) {
            case 0x06: (void)in(LINE_STATUS); break; // an error: reading LSR clears it
            case 0x04:                               // data, or a FIFO timeout with data
            case 0x0c:
                for (size_t n = 0; n < RECEIVED_PER_ROUND && (in(LINE_STATUS) & LSR_DATA_READY); ++n) {
                    uint8_t byte = in(DATA);
                    if (g_uart.receive.push(byte))
                        got_bytes = true;
                    else
                        ++g_uart.overruns;
                }
                break;
            case 0x02:
                refill_fifo_locked();
                made_room = made_room || g_uart.writers_waiting > 0;
                break;
            default: (void)in(MODEM_STATUS); break;
            }
        }
        if (!drained) {
            out(INTERRUPTS, 0);
            out(INTERRUPTS, g_uart.transmitting ? IER_RECEIVED | IER_TRANSMIT_EMPTY : IER_RECEIVED);
        }
    }
    if (got_bytes)
        (void)sys::signal(g_uart.received, 1);
    if (made_room)
        (void)sys::signal(g_uart.room, 1);
}

void interrupt_thread(void*) {
    while (true) {
        if (auto fired = sys::wait_irq(IRQ); !fired) {
            mnos::println("serial: waiting for IRQ 4 failed: {}", mnos::error_name(fired.error()));
            sys::exit(1);
        }
        handle_interrupt();
    }
}

// Pushes received bytes to the console (dropped while there is none).
void forward_thread(void*) {
    mnos::ConsoleInput console(CONSOLE_INPUT);
    while (true) {
        (void)sys::wait_notification(g_uart.received);
        char bytes[256];
        size_t count = 0;
        {
            mnos::LockGuard guard(g_uart.lock);
            while (!g_uart.receive.is_empty() && count < sizeof bytes)
                bytes[count++] = char(g_uart.receive.pop());
        }
        (void)console.push(bytes, count);
    }
}

void write_bytes(const char* data, size_t count) {
    for (size_t i = 0; i < count;) {
        {
            mnos::LockGuard guard(g_uart.lock);
            while (i < count && g_uart.transmit.push(uint8_t(data[i])))
                ++i;
            if (!g_uart.transmitting && !g_uart.transmit.is_empty()) {
                // The UART raises the transmit-empty interrupt as soon as it is enabled with
                // its holding register empty, which starts the interrupt thread's refills.
                g_uart.transmitting = true;
                out(INTERRUPTS, IER_RECEIVED | IER_TRANSMIT_EMPTY);
            }
            if (i == count)
                return;
            ++g_uart.writers_waiting;
        }
        (void)sys::wait_notification(g_uart.room);
        mnos::LockGuard guard(g_uart.lock);
        --g_uart.writers_waiting;
    }
}

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    if (request.method != mnos::console::Write)
        return lib::fail(mnos::Error::InvalidArgument);
    char bytes[mnos::console::BYTES_PER_MESSAGE];
    size_t count = mnos::console::unpack(request.words.data(), bytes);
    write_bytes(bytes, count);
    return rpc::Reply{};
}

bool start_thread(mnos::Thread::Function body, const char* what) {
    auto thread = mnos::Thread::start(body, nullptr);
    if (!thread) {
        mnos::println("serial: no {} thread: {}", what, mnos::error_name(thread.error()));
        return false;
    }
    return true; // runs as long as the driver; never joined
}

} // namespace

int main(int, char**) {
    constexpr CapSlot BUDGET = mnos::service_caps::BUDGET;
    auto endpoint = sys::create_endpoint(BUDGET);
    auto room = sys::create_notification(BUDGET);
    auto received = sys::create_notification(BUDGET);
    if (!endpoint || !room || !received) {
        mnos::println("serial: out of memory for its endpoint and notifications");
        return 1;
    }
    g_uart.room = *room;
    g_uart.received = *received;
    configure();
    if (!start_thread(interrupt_thread, "interrupt") || !start_thread(forward_thread, "forward"))
        return 1;
    if (auto registered = mnos::names::register_endpoint(mnos::console::SERIAL, *endpoint);
        !registered) {
        mnos::println("serial: cannot register: {}", mnos::error_name(registered.error()));
        return 1;
    }
    mnos::println("serial: COM1 at 115200 8N1, interrupt-driven (IRQ 4)");
    rpc::serve(*endpoint, WINDOW, handle);
}
