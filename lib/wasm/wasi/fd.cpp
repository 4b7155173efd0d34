// fd_*: the three standard streams. fd 0 reads the host's stdin, fds 1 and 2 write to its
// stdout and stderr; all three look like character devices that cannot seek. Descriptors of
// files (3 and up, when the host has files) are handled by files.cpp; every other fd is EBADF.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>

#include "lib/wasm/wasi/functions.h"

namespace wasm::wasi::detail {

namespace {

constexpr uint64_t kStdinRights = rights::kFdRead | rights::kPollFdReadwrite |
                                  rights::kFdFilestatGet | rights::kFdFdstatSetFlags;
constexpr uint64_t kStdoutRights = rights::kFdWrite | rights::kPollFdReadwrite |
                                   rights::kFdFilestatGet | rights::kFdFdstatSetFlags;

uint64_t rights_of(uint32_t fd) { return fd == kStdin ? kStdinRights : kStdoutRights; }

// One iovec of the guest's array: a buffer address and length.
struct Iovec {
    uint32_t buf;
    uint32_t len;
};

std::optional<Iovec> load_iovec(const GuestMemory& mem, uint64_t iovs, uint32_t i) {
    auto buf = mem.load_u32(iovs + uint64_t{kIovecSize} * i);
    auto len = mem.load_u32(iovs + uint64_t{kIovecSize} * i + 4);
    if (!buf || !len)
        return std::nullopt;
    return Iovec{*buf, *len};
}

// Checks the whole request before any byte moves: the iovec array, every buffer it names and
// the result slot lie in memory, and the total fits the u32 result. Fault or Inval otherwise.
Errno check_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count, uint32_t result_ptr) {
    if (!mem.contains(iovs, uint64_t{kIovecSize} * count) || !mem.contains(result_ptr, 4))
        return Errno::Fault;
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; ++i) {
        Iovec v = *load_iovec(mem, iovs, i); // in range: the array was checked above
        if (!mem.contains(v.buf, v.len))
            return Errno::Fault;
        total += v.len;
    }
    return total > UINT32_MAX ? Errno::Inval : Errno::Success;
}

// The shared loop of fd_read and fd_write: hands each buffer to `transfer` in order and stops
// early at a short transfer (a partial write, or a read that returned what was ready).
// An error after some bytes moved is reported as the bytes that moved, as POSIX readv does.
template <typename Transfer>
Trap transfer_iovecs(HostCall& call, Transfer transfer) {
    GuestMemory mem = memory(call);
    uint32_t iovs = call.arg_i32(1);
    uint32_t count = call.arg_i32(2);
    uint32_t result_ptr = call.arg_i32(3);
    if (Errno e = check_iovecs(mem, iovs, count, result_ptr); e != Errno::Success)
        return done(call, e);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; ++i) {
        // Loaded again: a read into an earlier buffer may have rewritten this iovec.
        auto v = load_iovec(mem, iovs, i);
        auto buf = v ? mem.bytes(v->buf, v->len) : std::nullopt;
        if (!buf) {
            if (total == 0)
                return done(call, Errno::Fault);
            break;
        }
        if (buf->empty())
            continue;
        IoResult moved = transfer(*buf);
        if (!moved) {
            if (total == 0)
                return done(call, moved.error());
            break;
        }
        size_t n = *moved < buf->size() ? *moved : buf->size(); // never trust the host beyond
        total += n;
        if (n < buf->size())
            break;
    }
    // total <= UINT32_MAX: check_iovecs bounded the sum of the lengths.
    mem.store_u32(result_ptr, static_cast<uint32_t>(total));
    return done(call, Errno::Success);
}

// Zeroes the `size`-byte record at ptr for the caller to fill in; false when it is outside.
bool clear_record(GuestMemory& mem, uint32_t ptr, uint32_t size) {
    auto out = mem.bytes(ptr, size);
    if (!out)
        return false;
    std::fill(out->begin(), out->end(), uint8_t{0});
    return true;
}

// EBADF for a descriptor that does not exist (or was closed).
bool is_open(HostCall& call, uint32_t fd) { return self(call).fd_is_open(fd); }

} // namespace

Trap fd_write(HostCall& call) {
    uint32_t fd = call.arg_i32(0);
    if (!is_open(call, fd))
        return done(call, Errno::BadF);
    if (fd == kStdin || fd > kStderr)
        return done(call, Errno::NotCapable); // stdin, or a read-only file
    WasiHost& host = self(call).host();
    return transfer_iovecs(call, [&](std::span<uint8_t> buf) { return host.write(fd, buf); });
}

Trap fd_read(HostCall& call) {
    uint32_t fd = call.arg_i32(0);
    if (!is_open(call, fd))
        return done(call, Errno::BadF);
    if (Wasi::OpenFile* f = self(call).file(fd))
        return transfer_iovecs(call, [&](std::span<uint8_t> buf) -> IoResult {
            size_t moved = 0;
            if (Errno e = file_read(call, *f, buf, moved); e != Errno::Success)
                return std::unexpected(e);
            return moved;
        });
    if (fd != kStdin)
        return done(call, Errno::NotCapable);
    WasiHost& host = self(call).host();
    return transfer_iovecs(call, [&](std::span<uint8_t> buf) { return host.read(fd, buf); });
}

Trap fd_close(HostCall& call) {
    uint32_t fd = call.arg_i32(0);
    if (!is_open(call, fd))
        return done(call, Errno::BadF);
    self(call).close_fd(fd);
    return done(call, Errno::Success);
}

// fd_seek(fd, offset: i64, whence: u8, newoffset: *u64): streams cannot seek.
Trap fd_seek(HostCall& call) {
    if (!is_open(call, call.arg_i32(0)))
        return done(call, Errno::BadF);
    if (Wasi::OpenFile* f = self(call).file(call.arg_i32(0)))
        return file_seek(call, *f);
    if (call.arg_i32(2) > 2)
        return done(call, Errno::Inval);
    return done(call, Errno::SPipe);
}

Trap fd_tell(HostCall& call) {
    if (Wasi::OpenFile* f = self(call).file(call.arg_i32(0)))
        return file_tell(call, *f);
    return done(call, is_open(call, call.arg_i32(0)) ? Errno::SPipe : Errno::BadF);
}

// Nothing is buffered in the layer, so there is nothing to flush.
Trap fd_sync(HostCall& call) {
    return done(call, is_open(call, call.arg_i32(0)) ? Errno::Success : Errno::BadF);
}

// fd_fdstat_get(fd, stat: *fdstat). wasi-libc's isatty() reads it: a character device
// without seek rights counts as a terminal, which makes stdout line-buffered.
Trap fd_fdstat_get(HostCall& call) {
    uint32_t fd = call.arg_i32(0);
    uint32_t stat = call.arg_i32(1);
    if (!is_open(call, fd))
        return done(call, Errno::BadF);
    if (Wasi::OpenFile* f = self(call).file(fd))
        return file_fdstat(call, *f, stat);
    GuestMemory mem = memory(call);
    if (!clear_record(mem, stat, kFdstatSize))
        return done(call, Errno::Fault);
    mem.store_u8(stat, static_cast<uint8_t>(FileType::CharacterDevice));
    mem.store_u16(stat + kFdstatFlagsOffset, 0);
    mem.store_u64(stat + kFdstatRightsOffset, rights_of(fd));
    mem.store_u64(stat + kFdstatInheritingOffset, 0);
    return done(call, Errno::Success);
}

// Only "no flags" can be set: the streams have no append or non-blocking mode here.
Trap fd_fdstat_set_flags(HostCall& call) {
    if (!is_open(call, call.arg_i32(0)))
        return done(call, Errno::BadF);
    return done(call, call.arg_i32(1) == 0 ? Errno::Success : Errno::NotSup);
}

// fd_filestat_get(fd, buf: *filestat): a zeroed record (no device, inode, size or times)
// that says "character device".
Trap fd_filestat_get(HostCall& call) {
    uint32_t fd = call.arg_i32(0);
    uint32_t stat = call.arg_i32(1);
    if (!is_open(call, fd))
        return done(call, Errno::BadF);
    if (Wasi::OpenFile* f = self(call).file(fd))
        return file_filestat(call, *f, stat);
    GuestMemory mem = memory(call);
    if (!clear_record(mem, stat, kFilestatSize))
        return done(call, Errno::Fault);
    mem.store_u8(stat + kFilestatFiletypeOffset, static_cast<uint8_t>(FileType::CharacterDevice));
    return done(call, Errno::Success);
}

} // namespace wasm::wasi::detail
