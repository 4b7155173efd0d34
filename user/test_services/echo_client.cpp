// The client in init's boot test: finds "echo" through the name service, calls it, crashes it,
// sees its next calls fail rather than hang, finds the restarted service again, and checks the
// service's port capability is exactly what the manifest said. Its exit code ends init (and the
// test): 0 when everything held.
#include "abi/init.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/test_services/echo_protocol.h"

namespace {

using mnos::CapSlot;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot ECHO{10};
int g_failures = 0;

void check(bool ok, const char* what) {
    mnos::println("client: {} {}", ok ? "PASS" : "FAIL", what);
    if (!ok)
        ++g_failures;
}

bool echoes(CapSlot endpoint, uint64_t a, uint64_t b, uint64_t* badge = nullptr) {
    auto answer = rpc::call(endpoint, echo::ECHO, {a, b, 0});
    if (!answer)
        return false;
    if (badge)
        *badge = answer->words[2];
    return answer->words[0] == a && answer->words[1] == b && answer->words[2] != 0;
}

} // namespace

int main(int argc, char** argv) {
    lib::StringView name = argc > 1 ? lib::StringView(argv[1]) : lib::StringView("echo");
    auto missing = mnos::names::lookup("no-such-service", CapSlot::none());
    check(!missing && missing.error() == mnos::Error::NotFound, "an unknown name is NotFound");
    auto bad = mnos::names::lookup("Bad Name!", CapSlot::none());
    check(!bad && bad.error() == mnos::Error::InvalidArgument, "a malformed name is refused");

    auto found = mnos::names::wait_for(name, ECHO);
    check(found.has_value(), "the echo service is found by name");
    if (!found)
        return 1;
    uint64_t first_badge = 0;
    check(echoes(ECHO, 42, 7, &first_badge), "a call through the name service is answered");
    auto again = mnos::names::lookup(name, CapSlot(11));
    uint64_t second_badge = 0;
    check(again && echoes(CapSlot(11), 1, 2, &second_badge) && second_badge != first_badge,
          "each lookup gives a capability with a badge of its own");
    (void)sys::drop_cap(CapSlot(11));

    auto ports = rpc::call(ECHO, echo::PORTS);
    check(ports && ports->words[0] == 1 && ports->words[1] == 1,
          "the service's ports are exactly its manifest's");

    auto crashed = rpc::call(ECHO, echo::CRASH, {0, 0, 0});
    check(!crashed && crashed.error() == mnos::Error::PeerGone,
          "the call that crashed the service fails with PeerGone");
    // Until init has revoked it, a call may wait on the dead service's endpoint; when init
    // withdraws the name the endpoint closes, so the call fails instead of hanging.
    auto after = rpc::call(ECHO, echo::ECHO, {1, 2, 0});
    check(!after && (after.error() == mnos::Error::EmptySlot ||
                     after.error() == mnos::Error::PeerGone),
          "the next call on the old capability fails (no hang)");
    (void)sys::drop_cap(ECHO);

    auto restarted = mnos::names::wait_for(name, ECHO);
    check(restarted && echoes(ECHO, 5, 6), "the restarted service is found again and answers");
    // Long enough for init to give up on the service that always crashes (its back-off adds
    // up to 1.55 s), so the test sees that too before this exit ends init.
    (void)sys::sleep(3000);
    mnos::println("client: {} failure(s)", g_failures);
    return g_failures == 0 ? 0 : 1;
}
