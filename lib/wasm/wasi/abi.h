// The WASI preview 1 ABI as the guest sees it: errno values, rights, file types and clock ids,
// with the numbers of the wasi_snapshot_preview1 specification (wasi-libc's wasi/api.h has the
// same ones; tests/wasm/programs/errno_values.c checks the ones guests see through libc).
#pragma once

#include <cstdint>

namespace wasm::wasi {

// The errno every WASI function returns (as an i32). Only the values this layer produces are
// named; the guest understands all 77.
enum class Errno : uint16_t {
    Success = 0,
    TooBig = 1, // E2BIG: an argument list or buffer size does not fit
    Again = 6,
    BadF = 8, // EBADF: no such file descriptor
    Fault = 21, // EFAULT: a pointer or length reaches outside linear memory
    Exist = 20,
    Inval = 28,
    Io = 29,
    IsDir = 31,
    MFile = 33, // EMFILE: every file descriptor is in use
    NameTooLong = 37,
    NoEnt = 44,
    NoSys = 52, // ENOSYS: the function is not implemented by this layer
    NotDir = 54,
    NotSup = 58,
    Overflow = 61,
    RoFs = 69,  // EROFS: the files are read-only
    SPipe = 70, // ESPIPE: seeking on a stream
    NotCapable = 76,
};

enum class ClockId : uint32_t {
    Realtime = 0,
    Monotonic = 1,
    ProcessCpuTime = 2,
    ThreadCpuTime = 3,
};

enum class FileType : uint8_t {
    Unknown = 0,
    CharacterDevice = 2,
    Directory = 3,
    RegularFile = 4,
};

namespace rights {
constexpr uint64_t kFdRead = 1u << 1;
constexpr uint64_t kFdSeek = 1u << 2;
constexpr uint64_t kFdFdstatSetFlags = 1u << 3;
constexpr uint64_t kFdTell = 1u << 5;
constexpr uint64_t kFdWrite = 1u << 6;
constexpr uint64_t kPathOpen = 1u << 13;
constexpr uint64_t kFdReaddir = 1u << 14;
constexpr uint64_t kPathFilestatGet = 1u << 18;
constexpr uint64_t kFdFilestatGet = 1u << 21;
constexpr uint64_t kPollFdReadwrite = 1u << 27;
} // namespace rights

// Sizes and field offsets of the structures the functions write into guest memory.
constexpr uint32_t kIovecSize = 8;     // { u32 buf; u32 buf_len; }
constexpr uint32_t kFdstatSize = 24;   // { u8 filetype; u16 flags; u64 rights; u64 inheriting; }
constexpr uint32_t kFdstatRightsOffset = 8;
constexpr uint32_t kFdstatInheritingOffset = 16;
constexpr uint32_t kFdstatFlagsOffset = 2;
constexpr uint32_t kFilestatSize = 64; // { u64 dev, ino; u8 filetype; u64 nlink, size, 3 times }
constexpr uint32_t kFilestatFiletypeOffset = 16;
constexpr uint32_t kFilestatSizeOffset = 32;
constexpr uint32_t kPrestatSize = 8;    // { u8 tag (0: a directory); u32 name_len; }
constexpr uint32_t kPrestatNameLenOffset = 4;
constexpr uint32_t kDirentSize = 24;    // { u64 d_next; u64 d_ino; u32 d_namlen; u8 d_type; }
constexpr uint32_t kDirentNamlenOffset = 16;
constexpr uint32_t kDirentTypeOffset = 20;

namespace oflags {
constexpr uint32_t kCreat = 1, kDirectory = 2, kExcl = 4, kTrunc = 8;
}

constexpr uint32_t kStdin = 0;
constexpr uint32_t kStdout = 1;
constexpr uint32_t kStderr = 2;

} // namespace wasm::wasi
