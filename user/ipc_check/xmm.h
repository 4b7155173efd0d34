// ipc_check's SSE mode: xmm0-xmm15 survive IPC. Both sides fill all sixteen registers with
// patterns of their own (different for every round trip), make the IPC syscall with them
// loaded, and compare them after it, so state leaking from the partner, or left stale by a
// switch that skipped the FPU, fails the run. Each returns 0, or a negative code after printing
// a FAIL line.
#pragma once

#include "abi/capability.h"

namespace ipc_check {

inline constexpr uint64_t XMM_ROUND_TRIPS = 10000;

int serve_xmm(mnos::CapSlot endpoint);
int client_xmm(mnos::CapSlot endpoint);

} // namespace ipc_check
