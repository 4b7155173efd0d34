// Supervision (MINIX 3's reincarnation server is the model): one thread per manifest service
// starts it with exactly the capabilities its entry lists, waits for it to end, logs how it
// ended (the exit code, or the fault with its vector and address), withdraws its names so its
// clients' next call fails, and restarts it as its policy says, with a growing back-off and a
// limit. A service whose program is missing or malformed is refused once, with the reason.
#pragma once

#include "abi/init_control.h"
#include "lib/manifest.h"
#include "lib/result.h"

namespace init {

// Starts the supervisor thread of `service` (which must outlive it) with name-service badge
// `badge`. False if the thread could not be made.
bool supervise(const lib::ManifestService& service, uint64_t badge);

// What `ps` shows of a service, by its index in the manifest (its badge less one).
struct ServiceStatus {
    const lib::ManifestService* service; // null past the last
    uint64_t pid;                        // 0 while it is not running
    mnos::init_control::ServiceState state;
    uint32_t restarts;
};
ServiceStatus service_status(size_t index);

// Whether the service with name-service badge `badge` may stop services and power off.
bool has_control(uint64_t badge);

// Ends the running service `name` (its supervisor then restarts it as its policy says).
// NotFound for no such service, InvalidArgument if it is not running.
lib::Result<void> stop_service(lib::StringView name);

} // namespace init
