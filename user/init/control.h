// init's answers to abi/init_control.h: services' state, memory, and, for a service its
// manifest marks `control`, stopping services and powering off. Served with the names.
#pragma once

#include "user/libmnos/rpc.h"

namespace init {

lib::Result<mnos::rpc::Reply> handle_control(const mnos::rpc::Request& request);

} // namespace init
