// The file service's protocol (docs/init.md): read-only files and directories of the initrd,
// served by /bin/tarfs under the name "fs". Data does not fit in messages, so a client first
// attaches a buffer: memory of the service's that it shares with the client, so that a client
// that ends, however it ends, leaves nothing of its own pinned in the service. A path goes in
// the buffer, its length in the request; what is read comes back in the buffer. Replies'
// labels are 0 or an mnos::Error: NotFound, InvalidArgument (a path or range that is not
// valid), BadAddress (a path or count that does not fit the buffer), NoSlot (no buffer
// attached, or the service gave it to another client: attach again).
#pragma once

#include <cstdint>

namespace mnos::fs {

inline constexpr char SERVICE[] = "fs";
inline constexpr uint64_t MAX_BUFFER_PAGES = 16;

enum class Kind : uint64_t { File = 0, Directory = 1 };

enum Method : uint64_t {
    Attach = 1, // (pages, 1..MAX_BUFFER_PAGES) -> transfer: the buffer, a MemoryFrame (READ,
                // WRITE) of that many pages, in place of any the client had
    Stat = 2,   // (path length) -> (size in bytes, Kind)
    Read = 3,   // (path length, offset, count) -> (bytes read, 0 at the end); data at buffer[0]
    List = 4,   // (path length, index) -> (name length, size, Kind); the name at buffer[0].
                // The index-th entry directly inside the directory; NotFound past the last.
};

} // namespace mnos::fs
