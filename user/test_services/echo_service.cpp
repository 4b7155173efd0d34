// A service for init's boot test: registers "echo" with the name service and answers each
// request with its words and the caller's badge. Method CRASH makes it fault on purpose (init
// must log the fault and restart it); method PORTS checks that its capability covers exactly
// the ports its manifest entry names.
#include "abi/init.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/test_services/echo_protocol.h"

namespace {

using mnos::CapSlot;
namespace sys = mnos::sys;
namespace rpc = mnos::rpc;

constexpr CapSlot PORTS{mnos::service_caps::FIRST_GRANT};
constexpr CapSlot WINDOW{mnos::CNODE_SLOTS - 1};

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    switch (request.method) {
    case echo::ECHO: return rpc::Reply{{request.words[0], request.words[1], request.badge}, {}};
    case echo::CRASH: {
        mnos::println("echo: crashing on request");
        // Sound as a test: address 0 is never mapped in Ring 3, so this write faults.
        *reinterpret_cast<volatile uint64_t*>(uintptr_t(request.words[0])) = 1;
        return rpc::Reply{};
    }
    case echo::PORTS: {
        // The line status register of COM1 is inside the grant; the keyboard's port is not.
        bool inside = sys::port_in(PORTS, 0x3fd, 1).has_value();
        auto outside = sys::port_in(PORTS, 0x60, 1);
        bool refused = !outside && outside.error() == mnos::Error::InvalidArgument;
        return rpc::Reply{{inside ? 1u : 0u, refused ? 1u : 0u, 0}, {}};
    }
    default: return lib::fail(mnos::Error::InvalidArgument);
    }
}

} // namespace

int main(int, char**) {
    auto endpoint = sys::create_endpoint(mnos::service_caps::BUDGET);
    if (!endpoint) {
        mnos::println("echo: no endpoint: {}", mnos::error_name(endpoint.error()));
        return 1;
    }
    if (auto registered = mnos::names::register_endpoint("echo", *endpoint); !registered) {
        mnos::println("echo: cannot register: {}", mnos::error_name(registered.error()));
        return 1;
    }
    mnos::println("echo: serving");
    rpc::serve(*endpoint, WINDOW, handle);
}
