// virtio-blk's request layout (lib/virtio/blk.h): the chains a read, a write and a flush make,
// that they go through the split virtqueue as the device expects, and what status bytes mean.
#include <gtest/gtest.h>

#include <vector>

#include "lib/virtio/blk.h"

namespace {

using lib::Error;
using lib::virtio::Buffer;
using namespace lib::virtio::blk;

constexpr RequestMemory MEMORY{0x10000, 0x20000, 0x10010};

TEST(VirtioBlk, AReadIsHeaderWritableDataStatus) {
    std::array<Buffer, 3> storage;
    auto chain = request_chain(RequestType::In, MEMORY, 4096, storage);
    ASSERT_TRUE(chain);
    ASSERT_EQ(chain->size(), 3u);
    EXPECT_EQ((*chain)[0].address, 0x10000u);
    EXPECT_EQ((*chain)[0].length, 16u);
    EXPECT_FALSE((*chain)[0].device_writes);
    EXPECT_EQ((*chain)[1].address, 0x20000u);
    EXPECT_EQ((*chain)[1].length, 4096u);
    EXPECT_TRUE((*chain)[1].device_writes);
    EXPECT_EQ((*chain)[2].address, 0x10010u);
    EXPECT_EQ((*chain)[2].length, 1u);
    EXPECT_TRUE((*chain)[2].device_writes);
}

TEST(VirtioBlk, AWriteHasReadableData) {
    std::array<Buffer, 3> storage;
    auto chain = request_chain(RequestType::Out, MEMORY, 512, storage);
    ASSERT_TRUE(chain);
    ASSERT_EQ(chain->size(), 3u);
    EXPECT_FALSE((*chain)[1].device_writes);
    EXPECT_EQ((*chain)[1].length, 512u);
}

TEST(VirtioBlk, AFlushHasNoData) {
    std::array<Buffer, 3> storage;
    auto chain = request_chain(RequestType::Flush, MEMORY, 0, storage);
    ASSERT_TRUE(chain);
    ASSERT_EQ(chain->size(), 2u);
    EXPECT_FALSE((*chain)[0].device_writes);
    EXPECT_TRUE((*chain)[1].device_writes);
    EXPECT_EQ((*chain)[1].address, MEMORY.status);
}

TEST(VirtioBlk, InconsistentRequestsAreRefused) {
    std::array<Buffer, 3> storage;
    EXPECT_EQ(request_chain(RequestType::In, MEMORY, 0, storage).error(), Error::InvalidArgument);
    EXPECT_EQ(request_chain(RequestType::Out, MEMORY, 100, storage).error(),
              Error::InvalidArgument);
    EXPECT_EQ(request_chain(RequestType::Flush, MEMORY, 512, storage).error(),
              Error::InvalidArgument);
    EXPECT_EQ(request_chain(RequestType(7), MEMORY, 512, storage).error(),
              Error::InvalidArgument);
}

TEST(VirtioBlk, ChainsGoThroughTheQueueInOrder) {
    // The queue accepts each chain (readable buffers first) and lays it out linked in order.
    std::vector<uint64_t> desc(16 * 8 / 8), avail(8), used(16);
    lib::virtio::SplitQueue queue;
    ASSERT_TRUE(queue.init({{reinterpret_cast<uint8_t*>(desc.data()), desc.size() * 8},
                            {reinterpret_cast<uint8_t*>(avail.data()), avail.size() * 8},
                            {reinterpret_cast<uint8_t*>(used.data()), used.size() * 8}},
                           8));
    std::array<Buffer, 3> storage;
    for (RequestType type : {RequestType::In, RequestType::Out, RequestType::Flush}) {
        auto chain = request_chain(type, MEMORY, type == RequestType::Flush ? 0 : 1024, storage);
        ASSERT_TRUE(chain);
        auto head = queue.add(*chain);
        ASSERT_TRUE(head) << int(type);
        auto* d = reinterpret_cast<lib::virtio::Descriptor*>(desc.data());
        EXPECT_EQ(d[*head].address, MEMORY.header);
        EXPECT_EQ(d[*head].length, 16u);
        EXPECT_TRUE(d[*head].flags & lib::virtio::DESC_NEXT);
    }
    EXPECT_EQ(queue.in_flight(), 3u);
    EXPECT_EQ(queue.free_descriptors(), 0u);
}

TEST(VirtioBlk, StatusBytes) {
    EXPECT_TRUE(status_result(STATUS_OK));
    EXPECT_EQ(status_result(STATUS_IOERR).error(), Error::DeviceError);
    EXPECT_EQ(status_result(STATUS_UNSUPP).error(), Error::Unsupported);
    EXPECT_EQ(status_result(0x7f).error(), Error::Malformed);
}

} // namespace
