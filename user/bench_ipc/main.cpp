// The Ring 3 IPC benchmarks of `make bench` (kernel/test/bench_suite.cpp starts them, one or two
// processes per figure). Each figure is timed here, in Ring 3, with RDTSC: under -icount shift=0
// an instruction count. The measuring process exits with the median per operation over five
// runs; every run also checks its work (each reply's payload, the badge, the capability that
// arrived), and a failure exits with a negative code instead.
//
// The kernel gives each process (before its first instruction): slot 0 itself, 1 a memory
// budget, 3 the shared endpoint (the server READ, the client WRITE and GRANT). The client calls
// through a badged copy it mints, so every figure includes the badge. Modes (argv[1]):
//   server           answers calls until STOP; with argv[2] "transfer" it expects a capability
//                    in every call (it lands in WINDOW) and drops it before replying
//   client           call/reply round trips; argv[2] "transfer" sends the endpoint capability
//                    with every call
//   threads          both sides in this process: a second thread serves a fresh endpoint
//   yield-lead       meets yield-follow on the endpoint, then both yield back and forth; this
//   yield-follow     side measures
#include <algorithm>
#include <cstdint>

#include "abi/init.h"
#include "lib/string_view.h"
#include "user/libmnos/syscall.h"
#include "user/libmnos/thread.h"

using mnos::CapSlot;
using mnos::IpcMessage;
namespace sys = mnos::sys;

namespace {

constexpr CapSlot ENDPOINT{3}, WINDOW{10};
constexpr int RUNS = 5;
constexpr uint64_t ROUND_TRIPS = 10000;
constexpr uint64_t YIELDS = 10000;
constexpr uint64_t STOP = ~0ull;
constexpr uint64_t BADGE = 0xbe7c4;

constexpr int BAD_ARGUMENT = -1, WRONG_REPLY = -2, FAILED_CALL = -3;

// RDTSC is allowed in Ring 3: the kernel leaves CR4.TSD clear. It reads the clock and nothing
// else (EDX:EAX out).
uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

template <typename Measure> int median_of_runs(Measure measure) {
    int64_t figures[RUNS];
    for (auto& figure : figures)
        figure = measure();
    std::sort(figures, figures + RUNS);
    // A failed run (negative) sorts first: any failure fails the figure.
    return int(figures[0] < 0 ? figures[0] : figures[RUNS / 2]);
}

// The server answers request i with words derived from it, so a lost, repeated or corrupted
// message shows at the client.
uint64_t answer_word(uint64_t label, int i) { return label * 7 + uint64_t(i) + 1; }

// Serves calls on `endpoint` until STOP; `transfer`: each call must carry a capability, which
// is dropped again so that WINDOW is free for the next. Returns 0, or an error code.
int serve(CapSlot endpoint, bool transfer, uint64_t expected_badge) {
    CapSlot window = transfer ? WINDOW : CapSlot::none();
    IpcMessage m;
    if (!sys::recv(endpoint, window, m))
        return FAILED_CALL;
    for (;;) {
        if (m.badge != expected_badge)
            return WRONG_REPLY;
        uint64_t label = m.label;
        if (label == STOP) { // the client's last call carries nothing
            m = IpcMessage{};
            m.words[0] = answer_word(STOP, 0);
            (void)sys::reply(m);
            return 0;
        }
        if (transfer) {
            if (m.transfer.index() != WINDOW.index() || !sys::drop_cap(WINDOW))
                return WRONG_REPLY;
        } else if (!m.transfer.is_none()) {
            return WRONG_REPLY;
        }
        m = IpcMessage{};
        m.label = label;
        for (int i = 0; i < 3; ++i)
            m.words[i] = answer_word(label, i);
        if (!sys::reply_recv(endpoint, m, window))
            return FAILED_CALL;
    }
}

// Instructions per round trip over ROUND_TRIPS calls, or an error code.
int64_t round_trips(CapSlot endpoint, bool transfer) {
    uint64_t start = rdtsc();
    for (uint64_t n = 0; n < ROUND_TRIPS; ++n) {
        IpcMessage m;
        m.label = n;
        m.words[0] = n ^ 0x55;
        if (transfer) {
            m.transfer = endpoint;
            m.transfer_rights = mnos::Rights::Write;
        }
        if (!sys::call(endpoint, m))
            return FAILED_CALL;
        if (m.label != n || m.words[0] != answer_word(n, 0) || m.words[1] != answer_word(n, 1) ||
            m.words[2] != answer_word(n, 2))
            return WRONG_REPLY;
    }
    return int64_t((rdtsc() - start) / ROUND_TRIPS);
}

int stop(CapSlot endpoint) {
    IpcMessage m;
    m.label = STOP;
    return sys::call(endpoint, m) && m.words[0] == answer_word(STOP, 0) ? 0 : FAILED_CALL;
}

int measure_calls(CapSlot endpoint, bool transfer) {
    int figure = median_of_runs([&] { return round_trips(endpoint, transfer); });
    int stopped = stop(endpoint);
    return figure < 0 ? figure : stopped < 0 ? stopped : figure;
}

int client(CapSlot endpoint, bool transfer) {
    auto badged = sys::mint(endpoint, BADGE, mnos::Rights::Write | mnos::Rights::Grant);
    if (!badged)
        return FAILED_CALL;
    return measure_calls(*badged, transfer);
}

// ---- two threads of this process

struct ThreadServer {
    CapSlot endpoint;
    int result = 1;
};

void serve_thread(void* raw) {
    auto* server = static_cast<ThreadServer*>(raw);
    server->result = serve(server->endpoint, false, BADGE);
}

int threads() {
    auto endpoint = sys::create_endpoint(mnos::service_caps::BUDGET);
    if (!endpoint)
        return FAILED_CALL;
    // The client calls through a badged copy, so the badge is checked on this path too.
    auto badged = sys::mint(*endpoint, BADGE, mnos::Rights::Write);
    if (!badged)
        return FAILED_CALL;
    ThreadServer server{*endpoint};
    auto thread = mnos::Thread::start(serve_thread, &server);
    if (!thread)
        return FAILED_CALL;
    int figure = measure_calls(*badged, false);
    auto joined = thread->join();
    if (!joined || server.result != 0)
        return figure < 0 ? figure : WRONG_REPLY;
    return figure;
}

// ---- yield between two processes

int64_t yields() {
    uint64_t start = rdtsc();
    for (uint64_t n = 0; n < YIELDS; ++n)
        sys::yield();
    // Each of our yields lets the other process run one of its own: two switches per turn.
    return int64_t((rdtsc() - start) / (2 * YIELDS));
}

int yield_lead(CapSlot endpoint) {
    return median_of_runs([&]() -> int64_t {
        IpcMessage m;
        if (!sys::call(endpoint, m)) // both are in the loop once the partner has answered
            return FAILED_CALL;
        return yields();
    });
}

int yield_follow(CapSlot endpoint) {
    for (int run = 0; run < RUNS; ++run) {
        IpcMessage m;
        if (!sys::recv(endpoint, CapSlot::none(), m) || !sys::reply(m))
            return FAILED_CALL;
        (void)yields();
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3)
        return BAD_ARGUMENT;
    lib::StringView mode(argv[1]);
    bool transfer = argc == 3 && lib::StringView(argv[2]) == lib::StringView("transfer");
    if (argc == 3 && !transfer)
        return BAD_ARGUMENT;
    if (mode == lib::StringView("server"))
        return serve(ENDPOINT, transfer, BADGE);
    if (mode == lib::StringView("client"))
        return client(ENDPOINT, transfer);
    if (mode == lib::StringView("threads"))
        return threads();
    if (mode == lib::StringView("yield-lead"))
        return yield_lead(ENDPOINT);
    if (mode == lib::StringView("yield-follow"))
        return yield_follow(ENDPOINT);
    return BAD_ARGUMENT;
}
