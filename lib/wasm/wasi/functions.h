// The host functions of wasi_snapshot_preview1, one per WASI function, grouped by file:
// args_env.cpp, fd.cpp, system.cpp. Internal to the layer; wasi.cpp lists them with their
// signatures. Each receives the Wasi object as the HostCall's user data.
#pragma once

#include "lib/wasm/engine.h"
#include "lib/wasm/wasi/abi.h"
#include "lib/wasm/wasi/guest_memory.h"
#include "lib/wasm/wasi/wasi.h"

namespace wasm::wasi::detail {

// The Wasi object a function was defined for.
inline Wasi& self(HostCall& call) {
    // Wasi::define() registers every function with `this` as its user data, so the pointer
    // is a live Wasi for as long as its functions can be called.
    return *static_cast<Wasi*>(call.user_data());
}

// The linear memory of the calling instance (empty when it has none).
inline GuestMemory memory(HostCall& call) { return GuestMemory(call.memory()); }

// Ends a WASI function: its one result is the errno.
inline Trap done(HostCall& call, Errno e) {
    call.set_i32(0, static_cast<uint32_t>(e));
    return Trap::none();
}

// args_env.cpp
Trap args_get(HostCall& call);
Trap args_sizes_get(HostCall& call);
Trap environ_get(HostCall& call);
Trap environ_sizes_get(HostCall& call);

// fd.cpp
Trap fd_write(HostCall& call);
Trap fd_read(HostCall& call);
Trap fd_close(HostCall& call);
Trap fd_seek(HostCall& call);
Trap fd_tell(HostCall& call);
Trap fd_sync(HostCall& call);
Trap fd_fdstat_get(HostCall& call);
Trap fd_fdstat_set_flags(HostCall& call);
Trap fd_filestat_get(HostCall& call);

// files.cpp
Trap fd_prestat_get(HostCall& call);
Trap fd_prestat_dir_name(HostCall& call);
Trap path_open(HostCall& call);
Trap path_filestat_get(HostCall& call);
Trap fd_readdir(HostCall& call);
// The file side of the fd_* calls, for a descriptor from path_open (or the preopen).
Errno file_read(HostCall& call, Wasi::OpenFile& f, std::span<uint8_t> into, size_t& moved);
Trap file_seek(HostCall& call, Wasi::OpenFile& f);
Trap file_tell(HostCall& call, Wasi::OpenFile& f);
Trap file_fdstat(HostCall& call, Wasi::OpenFile& f, uint32_t stat);
Trap file_filestat(HostCall& call, Wasi::OpenFile& f, uint32_t stat);

// system.cpp
Trap clock_time_get(HostCall& call);
Trap clock_res_get(HostCall& call);
Trap random_get(HostCall& call);
Trap proc_exit(HostCall& call);
Trap sched_yield(HostCall& call);

// poll.cpp
Trap poll_oneoff(HostCall& call);

} // namespace wasm::wasi::detail
