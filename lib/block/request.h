// The block service's checks on a request (abi/block.h), as pure logic: the driver applies
// them before anything reaches the device, and the host tests run them unchanged
// (tests/host/block/request_test.cpp).
#pragma once

#include <cstdint>

#include "lib/result.h"

namespace lib::block {

struct Request {
    uint64_t sector; // the first
    uint64_t count;  // sectors
    uint64_t offset; // bytes into the client's buffer
};

struct Limits {
    uint64_t capacity;     // sectors on the disk
    uint64_t buffer_bytes; // of the client's attached buffer
};

// The request's length in bytes, or why it is refused: InvalidArgument for a count of 0 or more
// than MAX_SECTORS or an offset that is not sector-aligned, Overflow for sectors past the end
// of the disk, BadAddress when they do not fit the buffer at the offset. Never wraps.
lib::Result<uint64_t> check_request(const Request& request, const Limits& limits);

} // namespace lib::block
