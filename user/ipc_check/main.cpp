// The IPC paths checked from Ring 3 (kernel/test/ipc_fastpath_suite.cpp starts a server and a
// client process on one endpoint; tests/boot ipc-fastpath*). Every round trip's label, three
// words and badge are checked on both sides, so a fast path that loses, repeats or corrupts a
// word, or delivers the wrong badge, fails the run; the client prints one PASS line, or a FAIL
// line naming the round trip and the word, and exits with a negative code.
//
// The kernel gives each process (before its first instruction): slot 0 itself, 1 a memory
// budget, 3 the endpoint (the server READ, the client WRITE and GRANT). Modes (argv[1], argv[2]):
//   server|client exact   100,000 round trips through two badged copies in turn, and a refused
//                         call every 50th: one through a copy without WRITE, one carrying a
//                         capability without GRANT (MissingRights both, and the server must
//                         never see them)
//   server|client mixed   fast and slow cases interleaved: a capability carried with the call,
//                         a server that is not yet waiting when the call comes, and a client
//                         that waits until a spinning thread of its process has run (on one
//                         CPU that is a preemption between two round trips)
//   server|client sse     xmm0-xmm15 checked across every IPC syscall on both sides (xmm.h)
#include <cstdint>

#include "lib/string_view.h"
#include "user/ipc_check/xmm.h"
#include "user/libmnos/print.h"
#include "user/libmnos/syscall.h"
#include "user/libmnos/thread.h"

using mnos::CapSlot;
using mnos::Error;
using mnos::IpcMessage;
using mnos::Rights;
namespace sys = mnos::sys;

namespace {

constexpr CapSlot ENDPOINT{3}, WINDOW{10};
constexpr uint64_t STOP = ~0ull;
constexpr uint64_t BADGES[2] = {0x1bad9e, 0x2bad9e};
constexpr uint64_t REFUSED_BADGE = 0x3bad9e;
constexpr uint64_t EXACT_ROUND_TRIPS = 100000;
constexpr uint64_t MIXED_ROUND_TRIPS = 10000;

constexpr int BAD_ARGUMENT = -1, WRONG_MESSAGE = -2, FAILED_CALL = -3;

// Round trip n's words: every bit depends on n and the word's index, differently each way.
uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
uint64_t request_word(uint64_t n, int i) { return mix(n * 3 + uint64_t(i)); }
uint64_t reply_word(uint64_t n, int i, uint64_t badge) {
    return mix(~(n * 3 + uint64_t(i))) ^ badge;
}
uint64_t badge_of(uint64_t n) { return BADGES[n % 2]; }

// What the mixed run does in round trip n (both sides derive it from the label).
enum class Case { Plain, Transfer, ServerNotWaiting, Preempted };
Case case_of(uint64_t n, bool mixed) {
    if (!mixed)
        return Case::Plain;
    if (n % 100 == 7)
        return Case::Preempted;
    switch (n % 10) {
    case 0: return Case::Transfer;
    case 3: return Case::ServerNotWaiting;
    default: return Case::Plain;
    }
}

int fail(const char* side, uint64_t n, const char* what, uint64_t got, uint64_t expected) {
    mnos::println("ipc_check: FAIL {} round trip {}: {} {:#x}, expected {:#x}", side, n, what,
                  got, expected);
    return WRONG_MESSAGE;
}

int failed_call(const char* side, uint64_t n, const char* what, Error error) {
    mnos::println("ipc_check: FAIL {} round trip {}: {}: {}", side, n, what,
                  mnos::error_name(error));
    return FAILED_CALL;
}

// ---- the server

// Checks request `expected` as it arrived; 0, or the failure.
int check_request(const IpcMessage& m, uint64_t expected, bool mixed) {
    if (m.label != expected)
        return fail("server", expected, "label", m.label, expected);
    if (m.badge != badge_of(expected))
        return fail("server", expected, "badge", m.badge, badge_of(expected));
    for (int i = 0; i < 3; ++i)
        if (m.words[i] != request_word(expected, i))
            return fail("server", expected, "word", m.words[i], request_word(expected, i));
    if (case_of(expected, mixed) != Case::Transfer) {
        if (!m.transfer.is_none())
            return fail("server", expected, "unexpected capability in slot", m.transfer.index(),
                        CapSlot::NONE_VALUE);
        return 0;
    }
    // The client's endpoint capability, narrowed to WRITE, in our window.
    if (m.transfer.index() != WINDOW.index())
        return fail("server", expected, "capability landed in slot", m.transfer.index(),
                    WINDOW.index());
    auto info = sys::inspect(WINDOW);
    if (!info)
        return failed_call("server", expected, "inspect the capability", info.error());
    if (info->type != mnos::CapType::IpcEndpoint || info->rights != Rights::Write)
        return fail("server", expected, "capability rights", uint32_t(info->rights),
                    uint32_t(Rights::Write));
    if (auto dropped = sys::drop_cap(WINDOW); !dropped)
        return failed_call("server", expected, "drop the capability", dropped.error());
    return 0;
}

int serve(bool mixed) {
    IpcMessage m;
    if (auto received = sys::recv(ENDPOINT, WINDOW, m); !received)
        return failed_call("server", 0, "recv", received.error());
    for (uint64_t n = 0;; ++n) {
        if (m.label == STOP && m.badge == badge_of(n)) {
            IpcMessage last;
            last.label = STOP;
            return sys::reply(last) ? 0 : FAILED_CALL;
        }
        if (int bad = check_request(m, n, mixed))
            return bad;
        Case kind = case_of(n, mixed);
        IpcMessage answer;
        answer.label = ~n;
        for (int i = 0; i < 3; ++i)
            answer.words[i] = reply_word(n, i, m.badge);
        if (kind == Case::ServerNotWaiting) {
            // Answer, then be busy elsewhere: the next call arrives before we receive again,
            // and queues (the slow path on both sides).
            if (auto replied = sys::reply(answer); !replied)
                return failed_call("server", n, "reply", replied.error());
            sys::yield();
            if (n % 1000 == 3)
                (void)sys::sleep(1);
            m = IpcMessage{};
            if (auto received = sys::recv(ENDPOINT, WINDOW, m); !received)
                return failed_call("server", n, "recv", received.error());
            continue;
        }
        m = answer;
        if (auto done = sys::reply_recv(ENDPOINT, m, WINDOW); !done)
            return failed_call("server", n, "reply_recv", done.error());
    }
}

// ---- the client

struct Spinner {
    uint64_t turns = 0; // written by the spinner, read by the client: __atomic builtins
    bool stop = false;
};

void spin(void* raw) {
    auto* spinner = static_cast<Spinner*>(raw);
    while (!__atomic_load_n(&spinner->stop, __ATOMIC_RELAXED))
        __atomic_fetch_add(&spinner->turns, 1, __ATOMIC_RELAXED);
}

// Busy until the spinner has taken a turn: on one CPU only a preemption lets it.
void wait_for_spinner(const Spinner& spinner) {
    uint64_t before = __atomic_load_n(&spinner.turns, __ATOMIC_RELAXED);
    while (__atomic_load_n(&spinner.turns, __ATOMIC_RELAXED) == before)
        asm volatile("pause"); // a spin-wait hint, no memory or register effect
}

struct Caps {
    CapSlot badged[2];
    CapSlot without_write;  // badged, GRANT only: a call through it is refused
    CapSlot without_grant;  // badged[0] has WRITE only: it cannot travel with a message
};

// The two refusals, neither of which may reach the server. 0, or the failure.
int refused_calls(const Caps& caps, uint64_t n) {
    IpcMessage m;
    m.label = n;
    auto refused = sys::call(caps.without_write, m);
    if (refused || refused.error() != Error::MissingRights)
        return fail("client", n, "call without WRITE returned",
                    refused ? 0 : uint64_t(refused.error()), uint64_t(Error::MissingRights));
    m = IpcMessage{};
    m.label = n;
    m.transfer = caps.without_grant;
    m.transfer_rights = Rights::Write;
    refused = sys::call(caps.badged[0], m);
    if (refused || refused.error() != Error::MissingRights)
        return fail("client", n, "call carrying a capability without GRANT returned",
                    refused ? 0 : uint64_t(refused.error()), uint64_t(Error::MissingRights));
    return 0;
}

int round_trip(const Caps& caps, uint64_t n, Case kind) {
    IpcMessage m;
    m.label = n;
    for (int i = 0; i < 3; ++i)
        m.words[i] = request_word(n, i);
    if (kind == Case::Transfer) {
        m.transfer = ENDPOINT;
        m.transfer_rights = Rights::Write;
    }
    if (auto called = sys::call(caps.badged[n % 2], m); !called)
        return failed_call("client", n, "call", called.error());
    if (m.label != ~n)
        return fail("client", n, "reply label", m.label, ~n);
    for (int i = 0; i < 3; ++i)
        if (m.words[i] != reply_word(n, i, badge_of(n)))
            return fail("client", n, "reply word", m.words[i], reply_word(n, i, badge_of(n)));
    if (!m.transfer.is_none())
        return fail("client", n, "capability in the reply, slot", m.transfer.index(),
                    CapSlot::NONE_VALUE);
    return 0;
}

lib::Result<Caps> mint_caps() {
    Caps caps;
    for (int i = 0; i < 2; ++i)
        caps.badged[i] = TRY(sys::mint(ENDPOINT, BADGES[i], Rights::Write));
    caps.without_write = TRY(sys::mint(ENDPOINT, REFUSED_BADGE, Rights::Grant));
    caps.without_grant = caps.badged[0];
    return caps;
}

int client(bool mixed) {
    auto caps = mint_caps();
    if (!caps)
        return failed_call("client", 0, "mint", caps.error());
    Spinner spinner;
    lib::Result<mnos::Thread> spinning = lib::fail(Error::NotFound);
    if (mixed) {
        spinning = mnos::Thread::start(spin, &spinner);
        if (!spinning)
            return failed_call("client", 0, "start the spinner", spinning.error());
    }
    uint64_t round_trips = mixed ? MIXED_ROUND_TRIPS : EXACT_ROUND_TRIPS;
    uint64_t counts[4] = {}, refusals = 0;
    for (uint64_t n = 0; n < round_trips; ++n) {
        if (n % 50 == 25) {
            if (int bad = refused_calls(*caps, n))
                return bad;
            refusals += 2;
        }
        Case kind = case_of(n, mixed);
        if (kind == Case::Preempted)
            wait_for_spinner(spinner);
        if (int bad = round_trip(*caps, n, kind))
            return bad;
        ++counts[int(kind)];
    }
    IpcMessage last;
    last.label = STOP;
    if (auto stopped = sys::call(caps->badged[round_trips % 2], last); !stopped)
        return failed_call("client", round_trips, "stop", stopped.error());
    if (mixed) {
        __atomic_store_n(&spinner.stop, true, __ATOMIC_RELAXED);
        if (auto joined = spinning->join(); !joined)
            return failed_call("client", round_trips, "join the spinner", joined.error());
        mnos::println("ipc_check: PASS mixed: {} round trips ({} plain, {} carrying a capability, "
                      "{} to a server not yet waiting, {} after a preemption), {} refused calls, "
                      "every word and badge checked",
                      round_trips, counts[int(Case::Plain)], counts[int(Case::Transfer)],
                      counts[int(Case::ServerNotWaiting)], counts[int(Case::Preempted)],
                      refusals);
    } else {
        mnos::println("ipc_check: PASS exact: {} round trips, every word and badge checked, "
                      "{} refused calls",
                      round_trips, refusals);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3)
        return BAD_ARGUMENT;
    lib::StringView mode(argv[1]), kind(argv[2]);
    if (kind == lib::StringView("sse")) {
        if (mode == lib::StringView("server"))
            return ipc_check::serve_xmm(ENDPOINT);
        return mode == lib::StringView("client") ? ipc_check::client_xmm(ENDPOINT) : BAD_ARGUMENT;
    }
    bool mixed = kind == lib::StringView("mixed");
    if (!mixed && kind != lib::StringView("exact"))
        return BAD_ARGUMENT;
    if (mode == lib::StringView("server"))
        return serve(mixed);
    if (mode == lib::StringView("client"))
        return client(mixed);
    return BAD_ARGUMENT;
}
