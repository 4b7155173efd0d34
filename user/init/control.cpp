#include "user/init/control.h"

#include "abi/init.h"
#include "abi/init_control.h"
#include "user/init/name_server.h"
#include "user/init/supervisor.h"
#include "user/libmnos/console.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"

namespace init {

namespace {

using mnos::CapSlot;
using mnos::Error;
namespace control = mnos::init_control;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

// Power off is S5 through the FADT's PM1a control port (the kernel passes it: abi/init.h).
// The sleep type S5 needs is in the DSDT's \_S5 object, which only an AML interpreter reads;
// there is none yet, and QEMU's DSDTs (q35 and pc alike) give S5 the sleep type 0, which is
// what is written. Reset is the PCI reset control register 0xcf9, which both chipsets have;
// the i8042's pulse-reset command is the fallback.
constexpr uint32_t SLP_TYP_S5 = 0;
constexpr uint32_t SLP_EN = 1u << 13;
constexpr uint16_t RESET_CONTROL = 0xcf9;
constexpr uint16_t I8042_COMMAND = 0x64;
constexpr uint16_t QEMU_DEBUG_EXIT = 0xf4; // only where the run added the device (tests)

[[noreturn]] void power_off() {
    uint32_t port = 0;
    for (char c : mnos::environment(mnos::init_env::ACPI_PM1A_CONTROL))
        port = port * 10 + uint32_t(c - '0');
    if (port != 0 && port <= 0xffff)
        (void)sys::port_out(mnos::init_caps::IO_PORTS, uint16_t(port), 2,
                            SLP_TYP_S5 << 10 | SLP_EN);
    // The machine goes off asynchronously (QEMU handles the request in its main loop): give it
    // time before the fallback, which would otherwise win the race.
    (void)sys::sleep(1000);
    (void)sys::port_out(mnos::init_caps::IO_PORTS, QEMU_DEBUG_EXIT, 4, 0);
    mnos::println("init: the machine did not power off; halting the system instead");
    while (true)
        (void)sys::sleep(3'600'000);
}

[[noreturn]] void reboot() {
    (void)sys::port_out(mnos::init_caps::IO_PORTS, RESET_CONTROL, 1, 0x02); // reset armed
    (void)sys::port_out(mnos::init_caps::IO_PORTS, RESET_CONTROL, 1, 0x06); // and pulled
    (void)sys::sleep(100);
    (void)sys::port_out(mnos::init_caps::IO_PORTS, I8042_COMMAND, 1, 0xfe);
    (void)sys::sleep(100);
    mnos::println("init: the machine did not reset");
    power_off();
}

lib::Result<rpc::Reply> service_name(uint64_t index) {
    ServiceStatus status = service_status(index);
    if (!status.service)
        return lib::fail(Error::NotFound);
    return rpc::Reply{TRY(mnos::names::pack(status.service->name)), {}};
}

lib::Result<rpc::Reply> service_state(uint64_t index) {
    ServiceStatus status = service_status(index);
    if (!status.service)
        return lib::fail(Error::NotFound);
    return rpc::Reply{{status.pid, uint64_t(status.state) | uint64_t(status.restarts) << 8,
                       status.service->budget_pages},
                      {}};
}

} // namespace

lib::Result<rpc::Reply> handle_control(const rpc::Request& request) {
    switch (request.method) {
    case control::ServiceName: return service_name(request.words[0]);
    case control::ServiceStatus: return service_state(request.words[0]);
    case control::NameAt: return rpc::Reply{TRY(name_at(request.words[0])), {}};
    case control::Memory: {
        auto budget = TRY(sys::inspect(mnos::init_caps::BUDGET));
        return rpc::Reply{{budget.size, 0, 0}, {}};
    }
    case control::StopService: {
        if (!has_control(request.badge))
            return lib::fail(Error::MissingRights);
        char buffer[mnos::name_service::MAX_NAME + 1];
        lib::StringView name = TRY(mnos::names::unpack(request.words, buffer));
        TRY(stop_service(name));
        return rpc::Reply{};
    }
    case control::Power:
        if (!has_control(request.badge))
            return lib::fail(Error::MissingRights);
        if (request.words[0] == uint64_t(control::PowerAction::PowerOff)) {
            mnos::println("init: powering off");
            power_off();
        }
        if (request.words[0] == uint64_t(control::PowerAction::Reboot)) {
            mnos::println("init: rebooting");
            reboot();
        }
        return lib::fail(Error::InvalidArgument);
    default: return lib::fail(Error::InvalidArgument);
    }
}

} // namespace init
