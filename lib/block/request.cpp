#include "lib/block/request.h"

#include "abi/block.h"

namespace lib::block {

lib::Result<uint64_t> check_request(const Request& request, const Limits& limits) {
    using mnos::block::MAX_SECTORS;
    using mnos::block::SECTOR_SIZE;
    if (request.count == 0 || request.count > MAX_SECTORS)
        return lib::fail(Error::InvalidArgument);
    if (request.offset % SECTOR_SIZE != 0)
        return lib::fail(Error::InvalidArgument);
    // Compared by subtraction, so no sum can wrap.
    if (request.sector >= limits.capacity || request.count > limits.capacity - request.sector)
        return lib::fail(Error::Overflow);
    uint64_t bytes = request.count * SECTOR_SIZE;
    if (request.offset > limits.buffer_bytes || bytes > limits.buffer_bytes - request.offset)
        return lib::fail(Error::BadAddress);
    return bytes;
}

} // namespace lib::block
