// virtio-blk's request (Virtio 1.x, section 5.2.6): a 16-byte header the device reads (type,
// reserved, sector), the data, and one status byte the device writes. As a chain of
// lib::virtio::Buffers, readable ones first as SplitQueue wants: header, then data (readable
// for a write, writable for a read; none for a flush), then the status. Pure layout, for the
// Ring 3 driver and the host tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/result.h"
#include "lib/virtio/split_queue.h"

namespace lib::virtio::blk {

// Feature bits (section 5.2.3) and the transport's (section 6).
inline constexpr uint64_t F_RO = uint64_t(1) << 5;
inline constexpr uint64_t F_FLUSH = uint64_t(1) << 9;
inline constexpr uint64_t F_VERSION_1 = uint64_t(1) << 32;

enum class RequestType : uint32_t { In = 0, Out = 1, Flush = 4 };

inline constexpr uint8_t STATUS_OK = 0;
inline constexpr uint8_t STATUS_IOERR = 1;
inline constexpr uint8_t STATUS_UNSUPP = 2;

struct Header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
static_assert(sizeof(Header) == 16);

// Where a request's three parts are, as device (physical) addresses.
struct RequestMemory {
    uint64_t header;
    uint64_t data;
    uint64_t status;
};

// The chain for one request of `bytes` of data (0, and only 0, for Flush; a multiple of 512
// otherwise): InvalidArgument for any other combination. The span it returns views `out`.
lib::Result<std::span<const Buffer>> request_chain(RequestType type, const RequestMemory& memory,
                                                   uint32_t bytes, std::array<Buffer, 3>& out);

// What a completed request's status byte means: OK, or DeviceError, Unsupported, and
// Malformed for a byte the specification does not define.
lib::Result<void> status_result(uint8_t status);

} // namespace lib::virtio::blk
