#include "lib/virtio/blk.h"

namespace lib::virtio::blk {

lib::Result<std::span<const Buffer>> request_chain(RequestType type, const RequestMemory& memory,
                                                   uint32_t bytes, std::array<Buffer, 3>& out) {
    constexpr uint32_t SECTOR = 512;
    bool flush = type == RequestType::Flush;
    if (type != RequestType::In && type != RequestType::Out && !flush)
        return lib::fail(Error::InvalidArgument);
    if (flush != (bytes == 0) || bytes % SECTOR != 0)
        return lib::fail(Error::InvalidArgument);
    size_t n = 0;
    out[n++] = Buffer{memory.header, sizeof(Header), false};
    if (!flush)
        out[n++] = Buffer{memory.data, bytes, type == RequestType::In};
    out[n++] = Buffer{memory.status, 1, true};
    return std::span<const Buffer>(out.data(), n);
}

lib::Result<void> status_result(uint8_t status) {
    switch (status) {
    case STATUS_OK: return {};
    case STATUS_IOERR: return lib::fail(Error::DeviceError);
    case STATUS_UNSUPP: return lib::fail(Error::Unsupported);
    default: return lib::fail(Error::Malformed);
    }
}

} // namespace lib::virtio::blk
