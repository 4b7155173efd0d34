// The name service's client (abi/name_service.h): register an endpoint under a name, look a
// name up. Every process init starts holds its name-service endpoint in service_caps::
// NAME_SERVICE.
#pragma once

#include "abi/name_service.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "user/libmnos/rpc.h"

namespace mnos::names {

// InvalidArgument unless 1..23 characters of [a-z0-9._-].
lib::Result<rpc::Words> pack(lib::StringView name);
// The name in `words`, NUL-terminated into `out`; InvalidArgument for an invalid one.
lib::Result<lib::StringView> unpack(const rpc::Words& words, char (&out)[name_service::MAX_NAME + 1]);

// Registers `endpoint` (unbadged; WRITE, GRANT and REVOKE, so init can revoke the copies it
// hands out) as `name`. Exists if another service has it.
lib::Result<void> register_endpoint(lib::StringView name, CapSlot endpoint);
// A badged capability to the endpoint registered as `name`, in `into` (or a free slot).
// NotFound while no one has registered it.
lib::Result<CapSlot> lookup(lib::StringView name, CapSlot into);
// The first empty slot from the top, away from the fixed ones at the bottom; NoSlot when full.
lib::Result<CapSlot> free_slot();
// lookup() until it succeeds or `attempts` yields have passed (a service starting up).
lib::Result<CapSlot> wait_for(lib::StringView name, CapSlot into, uint32_t attempts = 100000);

} // namespace mnos::names
