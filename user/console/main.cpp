// The console service (docs/console.md): the terminal every program the shell runs talks to.
// It joins the drivers: what the serial driver and the keyboard driver push to its input
// endpoint goes through the line discipline (lib/line_discipline.h), whose echo and whatever
// programs write go out to the serial driver and the screen together. A program reads whole
// lines; ctrl-C kills the foreground program the shell named; ctrl-D is the end of input.
//
// Threads: one serves the input endpoint; several serve the console endpoint, so that one
// parked in a Read (waiting, with the reply owed, on a notification until a line is complete)
// does not hold up the others' Writes.
#include "abi/console.h"
#include "abi/init.h"
#include "lib/byte_ring.h"
#include "lib/line_discipline.h"
#include "user/libmnos/clock.h"
#include "user/libmnos/console.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/spin_lock.h"
#include "user/libmnos/thread.h"

namespace {

using mnos::CapSlot;
namespace console = mnos::console;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot BUDGET = mnos::service_caps::BUDGET;
constexpr CapSlot SERIAL_SLOT{mnos::CNODE_SLOTS - 1};
constexpr CapSlot SCREEN_SLOT{mnos::CNODE_SLOTS - 2};
constexpr CapSlot FOREGROUND{mnos::CNODE_SLOTS - 3};
constexpr CapSlot INPUT_WINDOW{mnos::CNODE_SLOTS - 4};
constexpr uint32_t READERS = 3;
constexpr uint32_t FIRST_READER_WINDOW = mnos::CNODE_SLOTS - 5; // and the READERS - 1 below

// ---- output: to every device that is there, each looked up again if its driver restarted

struct Output {
    CapSlot slot;
    const char* name;
    bool present = false;   // this machine has the device (the screen needs a framebuffer)
    bool connected = false; // slot holds its driver's endpoint
    uint64_t next_lookup_ns = 0; // while not connected: when to look for the driver again
};

mnos::SpinLock g_output_lock;
Output g_serial{SERIAL_SLOT, console::SERIAL};
Output g_screen{SCREEN_SLOT, console::SCREEN};

bool send_chunk(Output& device, const char* data, size_t length) {
    rpc::Words words{};
    console::pack(data, length, words.data());
    return rpc::call(device.slot, console::Write, words).has_value();
}

// A driver that was there and failed is being restarted by init (its back-off is at most 2 s,
// and starting it takes a while on a loaded machine): wait up to 10 s, looking it up every
// 10 ms, rather than lose what is written meanwhile.
constexpr int RECONNECT_ATTEMPTS = 1000;
constexpr uint64_t RECONNECT_INTERVAL_MS = 10;
// A driver that did not come back in that time (init gave up on it) is looked for again at
// most once a second: a write must not pay a name-service round trip for a device that is gone.
constexpr uint64_t GONE_LOOKUP_INTERVAL_NS = 1'000'000'000;

bool reconnect(Output& device, bool wait) {
    (void)sys::drop_cap(device.slot); // the revoked capability's slot, if it is still there
    for (int attempt = 0; attempt < (wait ? RECONNECT_ATTEMPTS : 1); ++attempt) {
        if (attempt > 0)
            (void)sys::sleep(RECONNECT_INTERVAL_MS);
        if (mnos::names::lookup(device.name, device.slot))
            return true;
    }
    device.next_lookup_ns = mnos::clock::monotonic_ns().value_or(0) + GONE_LOOKUP_INTERVAL_NS;
    return false;
}

bool lookup_due(const Output& device) {
    return device.present && mnos::clock::monotonic_ns().value_or(0) >= device.next_lookup_ns;
}

// One device, the whole text. A device that fails is looked up again and the text sent again
// from the chunk that failed (a restarted driver loses at most what it had buffered).
void send(Output& device, const char* data, size_t length) {
    if (!device.connected) {
        if (!lookup_due(device))
            return; // not there: this output is not seen on it
        device.connected = reconnect(device, false);
        if (!device.connected)
            return;
    }
    for (size_t sent = 0; sent < length;) {
        size_t chunk = length - sent < console::BYTES_PER_MESSAGE ? length - sent
                                                                   : console::BYTES_PER_MESSAGE;
        if (!send_chunk(device, data + sent, chunk)) {
            device.connected = reconnect(device, true);
            if (!device.connected || !send_chunk(device, data + sent, chunk))
                return;
        }
        sent += chunk;
    }
}

// Serial terminals need "\r\n" where the screen moves to the next line on '\n'.
void send_to_serial(lib::StringView text) {
    char converted[2 * console::BYTES_PER_MESSAGE * 4];
    size_t length = 0;
    for (char c : text) {
        if (length + 2 > sizeof converted) {
            send(g_serial, converted, length);
            length = 0;
        }
        if (c == '\n')
            converted[length++] = '\r';
        converted[length++] = c;
    }
    send(g_serial, converted, length);
}

void write_out(lib::StringView text) {
    mnos::LockGuard guard(g_output_lock);
    send_to_serial(text);
    send(g_screen, text.data(), text.length());
}

// ---- input: the line discipline and the lines it finished, waiting to be read

class Terminal final : public lib::LineListener {
public:
    void echo(lib::StringView text) override { write_out(text); }
    void line(lib::StringView text) override {
        for (char c : text)
            if (!cooked.push(uint8_t(c)))
                break; // a reader that never reads cannot make us lose more than the ring
        signal_readers();
    }
    void end_of_input() override {
        ++ends_of_input;
        signal_readers();
    }
    void interrupt() override {
        while (!cooked.is_empty()) // what was typed ahead for the program goes with it
            cooked.pop();
        if (has_foreground)
            (void)sys::kill_process(FOREGROUND);
    }
    void signal_readers() {
        if (readers_waiting)
            (void)sys::signal(lines_ready, 1);
    }

    lib::ByteRing<4096> cooked; // finished lines, under g_input_lock
    uint32_t ends_of_input = 0; // ctrl-Ds not yet read
    uint32_t readers_waiting = 0;
    bool has_foreground = false;
    CapSlot lines_ready;
};

mnos::SpinLock g_input_lock;
Terminal g_terminal;
lib::LineDiscipline g_discipline{g_terminal};

// Up to BYTES_PER_MESSAGE bytes of the next line, stopping after its '\n'; 0 bytes is the
// end of input.
size_t read_line_part(char* out) {
    g_input_lock.lock();
    while (g_terminal.cooked.is_empty() && g_terminal.ends_of_input == 0) {
        ++g_terminal.readers_waiting;
        g_input_lock.unlock();
        (void)sys::wait_notification(g_terminal.lines_ready);
        g_input_lock.lock();
        --g_terminal.readers_waiting;
    }
    size_t count = 0;
    if (g_terminal.cooked.is_empty()) {
        --g_terminal.ends_of_input;
    } else {
        while (count < console::BYTES_PER_MESSAGE && !g_terminal.cooked.is_empty()) {
            char c = char(g_terminal.cooked.pop());
            out[count++] = c;
            if (c == '\n')
                break;
        }
    }
    // Another reader may be waiting for what is left.
    if (!g_terminal.cooked.is_empty() || g_terminal.ends_of_input)
        g_terminal.signal_readers();
    g_input_lock.unlock();
    return count;
}

lib::Result<rpc::Reply> handle_input(const rpc::Request& request) {
    if (request.method != console::Input)
        return lib::fail(mnos::Error::InvalidArgument);
    char bytes[console::BYTES_PER_MESSAGE];
    size_t count = console::unpack(request.words.data(), bytes);
    mnos::LockGuard guard(g_input_lock);
    g_discipline.input(lib::StringView(bytes, count));
    return rpc::Reply{};
}

// The foreground program: the capability the request carried, kept in FOREGROUND; none
// clears it.
lib::Result<rpc::Reply> set_foreground(const rpc::Request& request) {
    mnos::LockGuard guard(g_input_lock);
    if (g_terminal.has_foreground)
        (void)sys::drop_cap(FOREGROUND);
    g_terminal.has_foreground = false;
    CapSlot sent = request.capability.slot;
    if (sent.is_none())
        return rpc::Reply{};
    auto what = TRY(sys::inspect(sent));
    mnos::Rights needed = mnos::Rights::Write | mnos::Rights::Grant; // to kill; to keep a copy
    if (what.type != mnos::CapType::Process || !mnos::has_rights(what.rights, needed))
        return lib::fail(mnos::Error::WrongType);
    TRY(sys::delegate(sent, mnos::service_caps::SELF, FOREGROUND, mnos::Rights::Write));
    g_terminal.has_foreground = true;
    return rpc::Reply{};
}

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    switch (request.method) {
    case console::Write: {
        char bytes[console::BYTES_PER_MESSAGE];
        size_t count = console::unpack(request.words.data(), bytes);
        write_out(lib::StringView(bytes, count));
        return rpc::Reply{};
    }
    case console::Read: {
        rpc::Reply reply;
        char bytes[console::BYTES_PER_MESSAGE];
        size_t count = read_line_part(bytes);
        console::pack(bytes, count, reply.words.data());
        return reply;
    }
    case console::SetForeground: return set_foreground(request);
    default: return lib::fail(mnos::Error::InvalidArgument);
    }
}

CapSlot g_endpoint;
CapSlot g_input_endpoint;

[[noreturn]] void serve_console(void* window) {
    rpc::serve(g_endpoint, CapSlot(uint32_t(uintptr_t(window))), handle);
}
void serve_input(void*) { rpc::serve(g_input_endpoint, INPUT_WINDOW, handle_input); }

bool start(mnos::Thread::Function body, uint32_t window) {
    // The window's slot number travels as the thread's argument.
    auto thread = mnos::Thread::start(body, reinterpret_cast<void*>(uintptr_t(window)));
    if (!thread)
        mnos::println("console: no thread: {}", mnos::error_name(thread.error()));
    return thread.has_value();
}

} // namespace

int main(int, char**) {
    auto endpoint = sys::create_endpoint(BUDGET);
    auto input = sys::create_endpoint(BUDGET);
    auto ready = sys::create_notification(BUDGET);
    if (!endpoint || !input || !ready) {
        mnos::println("console: out of memory for its endpoints");
        return 1;
    }
    g_endpoint = *endpoint;
    g_input_endpoint = *input;
    g_terminal.lines_ready = *ready;
    for (uint32_t i = 1; i < READERS; ++i)
        if (!start(serve_console, FIRST_READER_WINDOW - i))
            return 1;
    if (!start(serve_input, 0))
        return 1;
    // The serial line is the console every machine has: wait for its driver, so that the first
    // thing a program prints is not lost. With a framebuffer the screen service is starting too:
    // wait for it as well, up to reconnect()'s 10 s (a manifest may start none), so the shell's
    // first lines show in the window.
    {
        mnos::LockGuard guard(g_output_lock);
        g_serial.present = true;
        g_serial.connected = mnos::names::wait_for(console::SERIAL, SERIAL_SLOT).has_value();
        g_screen.present = !mnos::environment(mnos::init_env::FRAMEBUFFER).is_empty();
        if (g_screen.present)
            g_screen.connected = reconnect(g_screen, true);
    }
    auto registered = mnos::names::register_endpoint(console::INPUT, g_input_endpoint);
    if (registered)
        registered = mnos::names::register_endpoint(console::SERVICE, g_endpoint);
    if (!registered) {
        mnos::println("console: cannot register: {}", mnos::error_name(registered.error()));
        return 1;
    }
    mnos::println("console: ready ({} readers, {})", READERS,
                  g_screen.present ? "serial and screen" : "serial only: no framebuffer");
    serve_console(reinterpret_cast<void*>(uintptr_t(FIRST_READER_WINDOW)));
}
