// The name service (abi/name_service.h), served by init's main thread: a table of names, each
// with init's copy of the endpoint a service registered. A lookup hands out a badged copy
// derived from init's, so when the service ends, revoking init's copy removes every client's
// and closes the endpoint (kernel/object/endpoint.h): clients get an error, never a hang.
#pragma once

#include <cstdint>

#include "user/libmnos/rpc.h"
#include "user/libmnos/syscall.h"

namespace init {

// The endpoint services reach the name service through (each gets a copy badged with who it
// is). Created by start_name_service, before any service starts.
mnos::CapSlot name_service_endpoint();

// Creates the endpoint; OutOfMemory.
lib::Result<void> create_name_service();

// Serves requests forever on the calling thread.
[[noreturn]] void serve_names();

// The `index`-th registered name, packed; NotFound past the last.
lib::Result<mnos::rpc::Words> name_at(uint64_t index);

// Withdraws every name registered by the service with badge `owner` and revokes what was handed
// out for them. Any thread; returns how many names went.
size_t forget_names_of(uint64_t owner);

} // namespace init
