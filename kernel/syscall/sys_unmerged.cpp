// Weak placeholders for the handlers of sys_memory.cpp, sys_capability.cpp and sys_process.cpp
// while those files are being written on another branch; their definitions replace these at
// link time, and this file goes when they land.
#include "kernel/syscall/handlers.h"

namespace kernel::syscall {

#define MNOS_UNMERGED(name)                                                                        \
    [[gnu::weak]] int64_t name(sched::Thread&, SyscallFrame&) {                                    \
        return fail(mnos::Error::Unsupported);                                                     \
    }
MNOS_UNMERGED(sys_alloc_memory)
MNOS_UNMERGED(sys_map_memory)
MNOS_UNMERGED(sys_unmap_memory)
MNOS_UNMERGED(sys_delegate)
MNOS_UNMERGED(sys_drop_cap)
MNOS_UNMERGED(sys_revoke)
MNOS_UNMERGED(sys_spawn_process)
MNOS_UNMERGED(sys_spawn_thread)
#undef MNOS_UNMERGED

} // namespace kernel::syscall
