// args_* and environ_*: the guest's argv and environment, both a list of NUL-terminated
// strings handed over in two steps (sizes first, then the pointer array and the string bytes).
#include <cstdint>
#include <span>

#include "lib/wasm/wasi/functions.h"

namespace wasm::wasi::detail {

namespace {

// strlen, written out: the layer links no libc (and -ffreestanding keeps clang from turning
// the loop back into a strlen call).
size_t length(const char* s) {
    size_t n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

// Bytes of all strings with their NULs; nullopt when the guest could not address that much.
std::optional<uint32_t> buffer_size(std::span<const char* const> strings) {
    uint64_t total = 0;
    for (const char* s : strings)
        total += length(s) + 1;
    if (total > UINT32_MAX)
        return std::nullopt;
    return static_cast<uint32_t>(total);
}

Trap sizes_get(HostCall& call, std::span<const char* const> strings) {
    GuestMemory mem = memory(call);
    uint32_t count_ptr = call.arg_i32(0);
    uint32_t size_ptr = call.arg_i32(1);
    auto size = buffer_size(strings);
    if (!size || strings.size() > UINT32_MAX / 4)
        return done(call, Errno::TooBig);
    if (!mem.contains(count_ptr, 4) || !mem.contains(size_ptr, 4))
        return done(call, Errno::Fault);
    mem.store_u32(count_ptr, static_cast<uint32_t>(strings.size()));
    mem.store_u32(size_ptr, *size);
    return done(call, Errno::Success);
}

// Writes strings.size() pointers at array_ptr and the strings themselves at buf_ptr. Both
// ranges are checked whole before anything is written.
Trap strings_get(HostCall& call, std::span<const char* const> strings) {
    GuestMemory mem = memory(call);
    uint32_t array_ptr = call.arg_i32(0);
    uint32_t buf_ptr = call.arg_i32(1);
    auto size = buffer_size(strings);
    if (!size)
        return done(call, Errno::TooBig);
    if (!mem.contains(array_ptr, uint64_t{4} * strings.size()) || !mem.contains(buf_ptr, *size))
        return done(call, Errno::Fault);
    uint64_t at = buf_ptr;
    for (size_t i = 0; i < strings.size(); ++i) {
        size_t len = length(strings[i]) + 1; // with its NUL
        mem.store_u32(array_ptr + 4 * i, static_cast<uint32_t>(at));
        // A char is a byte; the span reinterprets the host string as unsigned bytes.
        mem.write(at, {reinterpret_cast<const uint8_t*>(strings[i]), len});
        at += len;
    }
    return done(call, Errno::Success);
}

} // namespace

Trap args_sizes_get(HostCall& call) { return sizes_get(call, self(call).args()); }
Trap args_get(HostCall& call) { return strings_get(call, self(call).args()); }
Trap environ_sizes_get(HostCall& call) { return sizes_get(call, self(call).env()); }
Trap environ_get(HostCall& call) { return strings_get(call, self(call).env()); }

} // namespace wasm::wasi::detail
