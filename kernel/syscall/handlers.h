// One handler per system call, grouped by file: dispatch.cpp finds them by number. A handler
// returns the value for RAX: non-negative on success, error_result(e) on failure
// (abi/syscall.h). Every handler validates every argument before acting and leaves no partial
// state behind when it fails.
#pragma once

#include "abi/syscall.h"
#include "kernel/sched/thread.h"
#include "kernel/syscall/syscall_frame.h"

namespace kernel::syscall {

using Handler = int64_t (*)(sched::Thread& self, SyscallFrame& frame);

// sys_basic.cpp
int64_t sys_exit(sched::Thread&, SyscallFrame&);
int64_t sys_debug_log(sched::Thread&, SyscallFrame&);
int64_t sys_yield(sched::Thread&, SyscallFrame&);
int64_t sys_port_in(sched::Thread&, SyscallFrame&);
int64_t sys_port_out(sched::Thread&, SyscallFrame&);
int64_t sys_wait_irq(sched::Thread&, SyscallFrame&);
// sys_ipc.cpp
int64_t sys_send(sched::Thread&, SyscallFrame&);
int64_t sys_recv(sched::Thread&, SyscallFrame&);
int64_t sys_call(sched::Thread&, SyscallFrame&);
int64_t sys_reply_recv(sched::Thread&, SyscallFrame&);
// sys_memory.cpp
int64_t sys_alloc_memory(sched::Thread&, SyscallFrame&);
int64_t sys_map_memory(sched::Thread&, SyscallFrame&);
int64_t sys_unmap_memory(sched::Thread&, SyscallFrame&);
// sys_capability.cpp
int64_t sys_delegate(sched::Thread&, SyscallFrame&);
int64_t sys_drop_cap(sched::Thread&, SyscallFrame&);
int64_t sys_revoke(sched::Thread&, SyscallFrame&);
// sys_process.cpp
int64_t sys_spawn_process(sched::Thread&, SyscallFrame&);
int64_t sys_spawn_thread(sched::Thread&, SyscallFrame&);

inline int64_t fail(mnos::Error e) { return mnos::error_result(e); }

} // namespace kernel::syscall
