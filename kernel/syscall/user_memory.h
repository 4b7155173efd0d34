// Access to the calling process's memory from a syscall. Every byte is checked against the user
// half and against the process's own page tables (present, user, and writable for writes) before
// the kernel touches it, so a bad pointer is Error::BadAddress, never a kernel fault.
#pragma once

#include <cstddef>

#include "kernel/sched/thread.h"
#include "lib/address.h"
#include "lib/result.h"

namespace kernel::syscall {

lib::Result<void> copy_from_user(sched::Thread& self, void* kernel_dst, lib::VirtAddr user_src,
                                 size_t length);
lib::Result<void> copy_to_user(sched::Thread& self, lib::VirtAddr user_dst, const void* kernel_src,
                               size_t length);

} // namespace kernel::syscall
