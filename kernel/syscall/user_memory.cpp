#include "kernel/syscall/user_memory.h"

#include "abi/syscall.h"
#include "kernel/mm/hhdm.h"
#include "kernel/object/process.h"

namespace kernel::syscall {

namespace {

// Walks the range page by page in the caller's own tables; for each piece, a pointer into the
// HHDM at the backing frame. Checking every page first means a copy either happens whole or not
// at all.
template <typename Step>
lib::Result<void> for_each_piece(object::Process& process, lib::VirtAddr start, size_t length,
                                 bool write, Step step) {
    if (length == 0)
        return {};
    uint64_t begin = start.value();
    TRY(check_user_range(begin, length));
    mm::AddressSpace* space = process.address_space();
    if (!space)
        return lib::fail(lib::Error::BadAddress);
    for (int pass = 0; pass < 2; ++pass) {
        for (uint64_t at = begin; at < begin + length;) {
            uint64_t page_end = (at & ~(lib::PAGE_SIZE - 1)) + lib::PAGE_SIZE;
            uint64_t piece = (page_end < begin + length ? page_end : begin + length) - at;
            auto t = space->translate(lib::VirtAddr(at));
            if (!t || !mm::has(t->flags, mm::PageFlags::User) ||
                (write && !mm::has(t->flags, mm::PageFlags::Writable)))
                return lib::fail(lib::Error::BadAddress);
            if (pass == 1)
                step(mm::phys_to_ptr<uint8_t>(t->phys), at - begin, piece); // a mapped user frame
            at += piece;
        }
    }
    return {};
}

} // namespace

lib::Result<void> copy_from_user(object::Process& process, void* kernel_dst,
                                 lib::VirtAddr user_src, size_t length) {
    auto* dst = static_cast<uint8_t*>(kernel_dst);
    return for_each_piece(process, user_src, length, false, [&](uint8_t* p, size_t offset, size_t n) {
        __builtin_memcpy(dst + offset, p, n);
    });
}

lib::Result<void> copy_to_user(object::Process& process, lib::VirtAddr user_dst,
                               const void* kernel_src, size_t length) {
    auto* src = static_cast<const uint8_t*>(kernel_src);
    return for_each_piece(process, user_dst, length, true, [&](uint8_t* p, size_t offset, size_t n) {
        __builtin_memcpy(p, src + offset, n);
    });
}

} // namespace kernel::syscall
