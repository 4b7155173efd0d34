// The block service's protocol (docs/drivers.md): a disk in 512-byte sectors, served by
// /bin/virtio_blk under the name "block". Data does not fit in messages, so a client first
// attaches a buffer: a MemoryFrame it shares with the service, as for the file service
// (abi/fs.h). Reads land in the buffer and writes come from it, at a byte offset the request
// names. Replies' labels are 0 or an mnos::Error:
//
//   InvalidArgument  a count of 0 or above MAX_SECTORS (oversized), a buffer offset that is
//                    not a multiple of SECTOR_SIZE (misaligned), an unknown method
//   Overflow         sectors past the end of the disk (out of range)
//   BadAddress       the sectors do not fit the attached buffer at that offset
//   NoSlot           no buffer attached (or no room for another client: 32 at once)
//   Exists           a second Attach from the same client (Detach first to change buffers)
//   Busy             Detach while a request of the same client is in flight, or timed out
//                    and still held by the device (its late completion writes the buffer)
//   InvalidArgument  (Watch) a capability that is not a Process with READ
//   Unsupported      Write on a read-only disk, Flush on a disk without a write cache to flush
//   DeviceError      the disk reported an I/O error
#pragma once

#include <cstdint>

namespace mnos::block {

inline constexpr char SERVICE[] = "block";
inline constexpr uint64_t SECTOR_SIZE = 512;
inline constexpr uint64_t MAX_SECTORS = 128;       // one request: 64 KiB
// An attached buffer: up to 2 MiB, room for 32 requests of 64 KiB at once (make bench's depth 32).
inline constexpr uint64_t MAX_BUFFER_PAGES = 512;

enum Method : uint64_t {
    // transfer: a MemoryFrame (READ, WRITE, GRANT) of 1..MAX_BUFFER_PAGES -> (flags:
    // ATTACH_DIRECT when the device reads and writes the buffer itself, without a copy)
    Attach = 1,
    Info = 2,   // () -> (capacity in sectors, SECTOR_SIZE, flags: READ_ONLY, CAN_FLUSH)
    Read = 3,   // (first sector, count, buffer offset) -> (bytes read); data in the buffer
    Write = 4,  // (first sector, count, buffer offset) -> (bytes written); data from the buffer
    Flush = 5,  // () -> (): what was written is on stable storage
    Detach = 6, // () -> (): the attached buffer is let go, and the client's place with it
    // transfer: the client's own Process (READ) -> (): its place is given back when that process
    // ends, as by Detach. Exists if already watched; Busy when the driver has no watch to spare.
    Watch = 7,
};

inline constexpr uint64_t ATTACH_DIRECT = 1u << 0;
inline constexpr uint64_t INFO_READ_ONLY = 1u << 0;
inline constexpr uint64_t INFO_CAN_FLUSH = 1u << 1;

} // namespace mnos::block
