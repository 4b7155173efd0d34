// Supervision (MINIX 3's reincarnation server is the model): one thread per manifest service
// starts it with exactly the capabilities its entry lists, waits for it to end, logs how it
// ended (the exit code, or the fault with its vector and address), withdraws its names so its
// clients' next call fails, and restarts it as its policy says, with a growing back-off and a
// limit. A service whose program is missing or malformed is refused once, with the reason.
#pragma once

#include "lib/manifest.h"

namespace init {

// Starts the supervisor thread of `service` (which must outlive it) with name-service badge
// `badge`. False if the thread could not be made.
bool supervise(const lib::ManifestService& service, uint64_t badge);

} // namespace init
