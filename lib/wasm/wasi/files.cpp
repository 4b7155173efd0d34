// The read-only files under the preopened "/" (fd 3): path_open, path_filestat_get,
// fd_readdir and the file side of fd_seek, fd_tell, fd_fdstat_get, fd_filestat_get and the
// prestat calls. What the files are is the host's (WasiHost::files()); the layer keeps the
// descriptors, resolves paths and checks every guest pointer.
#include <algorithm>
#include <cstdint>
#include <span>

#include "lib/wasm/wasi/functions.h"

namespace wasm::wasi {

bool Wasi::fd_is_open(uint32_t fd) const {
    if (fd <= kPreopenFd)
        return (open_fds_ >> fd & 1) && (fd < kPreopenFd || host_.files());
    return fd - kFirstFileFd < kMaxFiles && files_[fd - kFirstFileFd].used;
}

void Wasi::close_fd(uint32_t fd) {
    if (fd <= kPreopenFd)
        open_fds_ &= static_cast<uint8_t>(~(1u << fd));
    else if (fd - kFirstFileFd < kMaxFiles)
        files_[fd - kFirstFileFd] = OpenFile{};
}

Wasi::OpenFile* Wasi::file(uint32_t fd) {
    if (!fd_is_open(fd) || fd < kPreopenFd)
        return nullptr;
    return fd == kPreopenFd ? &root_ : &files_[fd - kFirstFileFd];
}

std::expected<uint32_t, Errno> Wasi::open_file(std::span<const char> path, bool directory) {
    for (uint32_t i = 0; i < kMaxFiles; ++i)
        if (!files_[i].used) {
            OpenFile& f = files_[i];
            f = OpenFile{true, directory, static_cast<uint16_t>(path.size()), {}, 0};
            std::copy(path.begin(), path.end(), f.path);
            return kFirstFileFd + i;
        }
    return std::unexpected(Errno::MFile);
}

namespace detail {

namespace {

constexpr uint64_t kFileRights = rights::kFdRead | rights::kFdSeek | rights::kFdTell |
                                 rights::kFdFilestatGet;
constexpr uint64_t kDirectoryRights = rights::kPathOpen | rights::kFdReaddir |
                                      rights::kPathFilestatGet | rights::kFdFilestatGet;

// `base` joined with the guest's relative `path`, "." dropped and ".." taken back, into `out`.
// A path that climbs above "/", or an absolute one, is NotCapable, as the sandbox demands;
// one longer than kMaxPath is NameTooLong.
std::expected<size_t, Errno> resolve(std::span<const char> base, std::span<const uint8_t> path,
                                     char (&out)[Wasi::kMaxPath + 1]) {
    size_t length = base.size();
    std::copy(base.begin(), base.end(), out);
    if (!path.empty() && path[0] == '/')
        return std::unexpected(Errno::NotCapable);
    for (size_t i = 0; i < path.size();) {
        size_t end = i;
        while (end < path.size() && path[end] != '/')
            ++end;
        std::span<const uint8_t> part = path.subspan(i, end - i);
        i = end + 1;
        if (part.empty() || (part.size() == 1 && part[0] == '.'))
            continue;
        if (part.size() == 2 && part[0] == '.' && part[1] == '.') {
            if (length == 0)
                return std::unexpected(Errno::NotCapable);
            while (length > 0 && out[length - 1] != '/')
                --length;
            if (length > 0)
                --length; // the '/' before the last component
            continue;
        }
        if (std::find(part.begin(), part.end(), uint8_t{0}) != part.end())
            return std::unexpected(Errno::Inval);
        size_t needed = length + (length ? 1 : 0) + part.size();
        if (needed > Wasi::kMaxPath)
            return std::unexpected(Errno::NameTooLong);
        if (length)
            out[length++] = '/';
        for (uint8_t c : part)
            out[length++] = static_cast<char>(c);
    }
    return length;
}

// The guest's (dirfd, path, path_len) resolved, or the errno.
std::expected<size_t, Errno> guest_path(HostCall& call, uint32_t dirfd, uint32_t ptr,
                                        uint32_t len, char (&out)[Wasi::kMaxPath + 1]) {
    Wasi::OpenFile* dir = self(call).file(dirfd);
    if (!dir)
        return std::unexpected(Errno::BadF);
    if (!dir->directory)
        return std::unexpected(Errno::NotDir);
    auto path = memory(call).bytes(ptr, len);
    if (!path)
        return std::unexpected(Errno::Fault);
    return resolve(dir->view(), *path, out);
}

bool store_filestat(GuestMemory& mem, uint32_t ptr, const FileInfo& info) {
    auto out = mem.bytes(ptr, kFilestatSize);
    if (!out)
        return false;
    std::fill(out->begin(), out->end(), uint8_t{0});
    mem.store_u8(ptr + kFilestatFiletypeOffset,
                 static_cast<uint8_t>(info.directory ? FileType::Directory : FileType::RegularFile));
    mem.store_u64(ptr + kFilestatSizeOffset, info.size);
    return true;
}

} // namespace

// path_open(dirfd, dirflags, path, path_len, oflags, rights, inheriting, fdflags, *fd)
Trap path_open(HostCall& call) {
    ReadOnlyFiles* files = self(call).host().files();
    if (!files)
        return done(call, Errno::BadF);
    uint32_t oflags = call.arg_i32(4);
    uint32_t fd_ptr = call.arg_i32(8);
    char path[Wasi::kMaxPath + 1];
    auto length = guest_path(call, call.arg_i32(0), call.arg_i32(2), call.arg_i32(3), path);
    if (!length)
        return done(call, length.error());
    std::span<const char> resolved(path, *length);
    auto info = files->stat(resolved);
    if (!info) {
        if (info.error() == Errno::NoEnt && (oflags & oflags::kCreat))
            return done(call, Errno::RoFs);
        return done(call, info.error());
    }
    if ((oflags & oflags::kCreat) && (oflags & oflags::kExcl))
        return done(call, Errno::Exist);
    if (oflags & oflags::kTrunc)
        return done(call, Errno::RoFs);
    if ((oflags & oflags::kDirectory) && !info->directory)
        return done(call, Errno::NotDir);
    if ((call.arg_i64(5) & rights::kFdWrite) && !info->directory)
        return done(call, Errno::RoFs); // opened for writing: nothing here can be written
    GuestMemory mem = memory(call);
    if (!mem.contains(fd_ptr, 4))
        return done(call, Errno::Fault);
    auto fd = self(call).open_file(resolved, info->directory);
    if (!fd)
        return done(call, fd.error());
    mem.store_u32(fd_ptr, *fd);
    return done(call, Errno::Success);
}

// path_filestat_get(dirfd, flags, path, path_len, *filestat)
Trap path_filestat_get(HostCall& call) {
    ReadOnlyFiles* files = self(call).host().files();
    if (!files)
        return done(call, Errno::BadF);
    char path[Wasi::kMaxPath + 1];
    auto length = guest_path(call, call.arg_i32(0), call.arg_i32(2), call.arg_i32(3), path);
    if (!length)
        return done(call, length.error());
    auto info = files->stat(std::span<const char>(path, *length));
    if (!info)
        return done(call, info.error());
    GuestMemory mem = memory(call);
    return done(call, store_filestat(mem, call.arg_i32(4), *info) ? Errno::Success : Errno::Fault);
}

// fd_readdir(fd, buf, buf_len, cookie: u64, *bufused): dirents from entry `cookie` on; the last
// may be cut short, and a full buffer tells the guest to call again with the next cookie.
Trap fd_readdir(HostCall& call) {
    Wasi::OpenFile* dir = self(call).file(call.arg_i32(0));
    if (!dir)
        return done(call, Errno::BadF);
    if (!dir->directory)
        return done(call, Errno::NotDir);
    uint32_t buf = call.arg_i32(1), buf_len = call.arg_i32(2), used_ptr = call.arg_i32(4);
    uint64_t cookie = call.arg_i64(3);
    GuestMemory mem = memory(call);
    if (!mem.contains(buf, buf_len) || !mem.contains(used_ptr, 4))
        return done(call, Errno::Fault);
    ReadOnlyFiles& files = *self(call).host().files(); // a directory fd exists only with files
    uint32_t used = 0;
    for (uint64_t index = cookie; used < buf_len; ++index) {
        char name[Wasi::kMaxPath + 1];
        FileInfo info;
        auto length = files.entry(dir->view(), index, std::span(name, sizeof name), info);
        if (!length) {
            if (length.error() == Errno::NoEnt)
                break;
            return done(call, length.error());
        }
        uint8_t record[kDirentSize] = {};
        uint64_t next = index + 1;
        for (int b = 0; b < 8; ++b)
            record[b] = uint8_t(next >> (8 * b));
        record[8] = uint8_t(index + 1); // d_ino: any number unique in the directory
        for (int b = 0; b < 4; ++b)
            record[kDirentNamlenOffset + b] = uint8_t(uint32_t(*length) >> (8 * b));
        record[kDirentTypeOffset] =
            static_cast<uint8_t>(info.directory ? FileType::Directory : FileType::RegularFile);
        // The record, then the name, each cut at the end of the buffer.
        for (size_t i = 0; i < kDirentSize && used < buf_len; ++i)
            mem.store_u8(buf + used++, record[i]);
        for (size_t i = 0; i < *length && used < buf_len; ++i)
            mem.store_u8(buf + used++, uint8_t(name[i]));
    }
    mem.store_u32(used_ptr, used);
    return done(call, Errno::Success);
}

// fd_prestat_get(fd, *prestat): fd 3 is the directory "/"; wasi-libc probes 3, 4, ... until EBADF.
Trap fd_prestat_get(HostCall& call) {
    uint32_t fd = call.arg_i32(0);
    if (fd != Wasi::kPreopenFd || !self(call).fd_is_open(fd))
        return done(call, Errno::BadF);
    GuestMemory mem = memory(call);
    if (!mem.contains(call.arg_i32(1), kPrestatSize))
        return done(call, Errno::Fault);
    mem.store_u32(call.arg_i32(1), 0); // tag 0: a directory
    mem.store_u32(call.arg_i32(1) + kPrestatNameLenOffset, 1);
    return done(call, Errno::Success);
}

Trap fd_prestat_dir_name(HostCall& call) {
    uint32_t fd = call.arg_i32(0);
    if (fd != Wasi::kPreopenFd || !self(call).fd_is_open(fd))
        return done(call, Errno::BadF);
    if (call.arg_i32(2) < 1)
        return done(call, Errno::NameTooLong);
    GuestMemory mem = memory(call);
    return done(call, mem.store_u8(call.arg_i32(1), '/') ? Errno::Success : Errno::Fault);
}

Errno file_read(HostCall& call, Wasi::OpenFile& f, std::span<uint8_t> into, size_t& moved) {
    if (f.directory)
        return Errno::IsDir;
    auto n = self(call).host().files()->read(f.view(), f.offset, into);
    if (!n)
        return n.error();
    moved = *n < into.size() ? *n : into.size();
    f.offset += moved;
    return Errno::Success;
}

Trap file_seek(HostCall& call, Wasi::OpenFile& f) {
    if (f.directory)
        return done(call, Errno::IsDir);
    int64_t offset = static_cast<int64_t>(call.arg_i64(1));
    uint32_t whence = call.arg_i32(2);
    int64_t base = 0;
    if (whence == 1) {
        base = static_cast<int64_t>(f.offset);
    } else if (whence == 2) {
        auto info = self(call).host().files()->stat(f.view());
        if (!info)
            return done(call, info.error());
        base = static_cast<int64_t>(info->size);
    } else if (whence != 0) {
        return done(call, Errno::Inval);
    }
    if ((offset < 0 && base + offset < 0) || (offset > 0 && base > INT64_MAX - offset))
        return done(call, Errno::Inval);
    GuestMemory mem = memory(call);
    if (!mem.contains(call.arg_i32(3), 8))
        return done(call, Errno::Fault);
    f.offset = static_cast<uint64_t>(base + offset);
    mem.store_u64(call.arg_i32(3), f.offset);
    return done(call, Errno::Success);
}

Trap file_tell(HostCall& call, Wasi::OpenFile& f) {
    if (f.directory)
        return done(call, Errno::IsDir);
    GuestMemory mem = memory(call);
    return done(call, mem.store_u64(call.arg_i32(1), f.offset) ? Errno::Success : Errno::Fault);
}

Trap file_fdstat(HostCall& call, Wasi::OpenFile& f, uint32_t stat) {
    GuestMemory mem = memory(call);
    auto out = mem.bytes(stat, kFdstatSize);
    if (!out)
        return done(call, Errno::Fault);
    std::fill(out->begin(), out->end(), uint8_t{0});
    mem.store_u8(stat, static_cast<uint8_t>(f.directory ? FileType::Directory : FileType::RegularFile));
    mem.store_u64(stat + kFdstatRightsOffset, f.directory ? kDirectoryRights : kFileRights);
    mem.store_u64(stat + kFdstatInheritingOffset, f.directory ? kFileRights | kDirectoryRights : 0);
    return done(call, Errno::Success);
}

Trap file_filestat(HostCall& call, Wasi::OpenFile& f, uint32_t stat) {
    auto info = self(call).host().files()->stat(f.view());
    if (!info)
        return done(call, info.error());
    GuestMemory mem = memory(call);
    return done(call, store_filestat(mem, stat, *info) ? Errno::Success : Errno::Fault);
}

} // namespace detail

} // namespace wasm::wasi
