// Access to the calling process's memory from a syscall, and the one check of user addresses.
// Every byte is checked against the user half and against the process's own page tables
// (present, user, and writable for writes) before the kernel touches it, so a bad pointer is
// Error::BadAddress, never a kernel fault.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/syscall.h"
#include "lib/address.h"
#include "lib/result.h"

namespace kernel::object {
class Process;
}

namespace kernel::syscall {

// BadAddress unless [begin, begin + length) lies inside the user half [USER_MIN, USER_END)
// (length 0 is checked as if it were 1: the address itself must be a user address).
inline lib::Result<void> check_user_range(uint64_t begin, uint64_t length) {
    uint64_t size = length == 0 ? 1 : length;
    if (begin < mnos::USER_MIN || begin >= mnos::USER_END || size > mnos::USER_END - begin)
        return lib::fail(mnos::Error::BadAddress);
    return {};
}

lib::Result<void> copy_from_user(object::Process& process, void* kernel_dst,
                                 lib::VirtAddr user_src, size_t length);
lib::Result<void> copy_to_user(object::Process& process, lib::VirtAddr user_dst,
                               const void* kernel_src, size_t length);

} // namespace kernel::syscall
