// What init answers besides names (docs/init.md): the state of its services and the machine's
// memory for anyone, and, for a service whose manifest entry says `control` (the shell), the
// right to stop a service and to power the machine off or reboot it. The requests go to the
// name-service endpoint every service holds; init tells who asks by the badge, so a client
// cannot claim another's rights. Replies' labels are 0 or an mnos::Error, as for names.
#pragma once

#include <cstdint>

namespace mnos::init_control {

enum Method : uint64_t {
    ServiceName = 16,   // (index) -> the index-th manifest service's name, packed as names are
    ServiceStatus = 17, // (index) -> (pid or 0, ServiceState | restarts << 8, budget pages)
    NameAt = 18,        // (index) -> the index-th registered name; NotFound past the end
    StopService = 19,   // (name, packed) -> (); ends it; init restarts it as its policy says
    Memory = 20,        // () -> (pages free: what init's budget can still give)
    Power = 21,         // (PowerAction) -> never returns if it worked
};

enum class ServiceState : uint64_t {
    Starting = 0,
    Running = 1,
    Restarting = 2, // ended, waiting out its back-off
    Stopped = 3,    // ended, and its policy does not restart it
    Failed = 4,     // could not be started, or restarted too often
};

constexpr const char* service_state_name(ServiceState state) {
    switch (state) {
    case ServiceState::Starting: return "starting";
    case ServiceState::Running: return "running";
    case ServiceState::Restarting: return "restarting";
    case ServiceState::Stopped: return "stopped";
    case ServiceState::Failed: return "failed";
    }
    return "unknown";
}

enum class PowerAction : uint64_t { PowerOff = 0, Reboot = 1 };

} // namespace mnos::init_control
