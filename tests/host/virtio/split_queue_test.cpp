// The split virtqueue against a device model that reads the available ring and writes the used
// ring as a virtio device does: chains, the free list, out-of-order completion, 16-bit index
// wrap-around, notification suppression, and a hostile device whose used ring lies.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "lib/virtio/split_queue.h"

using lib::Error;
using lib::virtio::Buffer;
using lib::virtio::Descriptor;
using lib::virtio::SplitQueue;
using lib::virtio::UsedElement;

namespace {

// Queue memory for `size` entries, each part aligned as the device requires.
struct Rings {
    explicit Rings(uint16_t size)
        : desc(lib::virtio::descriptor_table_bytes(size) / 8 + 1),
          avail(lib::virtio::avail_ring_bytes(size) / 8 + 1),
          used(lib::virtio::used_ring_bytes(size) / 8 + 1), size(size) {}
    lib::virtio::QueueMemory memory() {
        return {{reinterpret_cast<uint8_t*>(desc.data()), desc.size() * 8},
                {reinterpret_cast<uint8_t*>(avail.data()), avail.size() * 8},
                {reinterpret_cast<uint8_t*>(used.data()), used.size() * 8}};
    }
    // 8-byte elements: every part is at least 8-byte aligned. Descriptors need 16: a vector of
    // uint64_t gives 16 from any glibc malloc, checked in the fixture.
    std::vector<uint64_t> desc, avail, used;
    uint16_t size;
};

// The device's view: the same bytes, read and written as the spec's device side does.
class Device {
public:
    explicit Device(Rings& r) : m_r(r) {}

    Descriptor descriptor(uint16_t i) {
        Descriptor d;
        std::memcpy(&d, reinterpret_cast<uint8_t*>(m_r.desc.data()) + 16 * i, sizeof d);
        return d;
    }
    void set_descriptor(uint16_t i, const Descriptor& d) {
        std::memcpy(reinterpret_cast<uint8_t*>(m_r.desc.data()) + 16 * i, &d, sizeof d);
    }
    uint16_t avail(size_t field) { return reinterpret_cast<uint16_t*>(m_r.avail.data())[field]; }
    uint16_t used_index() { return reinterpret_cast<uint16_t*>(m_r.used.data())[1]; }
    void set_used_flags(uint16_t f) { reinterpret_cast<uint16_t*>(m_r.used.data())[0] = f; }

    // The next chain the driver made available, if any: its head.
    std::optional<uint16_t> take() {
        if (m_last_avail == avail(1))
            return std::nullopt;
        uint16_t head = avail(2 + (m_last_avail & (m_r.size - 1)));
        ++m_last_avail;
        return head;
    }
    // The chain from `head`, following NEXT, at most size links (a device must bound it too).
    std::vector<Descriptor> chain(uint16_t head) {
        std::vector<Descriptor> out;
        for (uint16_t i = head; out.size() < m_r.size;) {
            out.push_back(descriptor(i));
            if (!(out.back().flags & lib::virtio::DESC_NEXT))
                break;
            i = out.back().next;
        }
        return out;
    }
    void complete(uint32_t id, uint32_t length) {
        uint16_t idx = used_index();
        auto* element = reinterpret_cast<UsedElement*>(reinterpret_cast<uint8_t*>(m_r.used.data()) + 4);
        element[idx & (m_r.size - 1)] = {id, length};
        reinterpret_cast<uint16_t*>(m_r.used.data())[1] = uint16_t(idx + 1);
    }

private:
    Rings& m_r;
    uint16_t m_last_avail = 0;
};

struct Fixture {
    explicit Fixture(uint16_t size) : rings(size), device(rings) {
        EXPECT_EQ(reinterpret_cast<uintptr_t>(rings.desc.data()) % 16, 0u);
        EXPECT_TRUE(queue.init(rings.memory(), size).has_value());
    }
    Rings rings;
    Device device;
    SplitQueue queue;
};

uint16_t add(SplitQueue& q, std::initializer_list<Buffer> chain) {
    auto head = q.add(std::span<const Buffer>(chain.begin(), chain.size()));
    EXPECT_TRUE(head.has_value());
    return head.value_or(0xffff);
}

} // namespace

TEST(SplitQueue, InitRefusesBadSizesAndMemory) {
    Rings rings(8);
    SplitQueue q;
    EXPECT_EQ(q.init(rings.memory(), 0).error(), Error::InvalidArgument);
    EXPECT_EQ(q.init(rings.memory(), 6).error(), Error::InvalidArgument);  // not a power of two
    EXPECT_EQ(q.init(rings.memory(), 16).error(), Error::InvalidArgument); // memory too small
    Rings big(512);
    EXPECT_EQ(q.init(big.memory(), 512).error(), Error::InvalidArgument);  // above MAX_SIZE
    auto m = rings.memory();
    m.used = m.used.subspan(2); // misaligned used ring
    EXPECT_EQ(q.init(m, 8).error(), Error::InvalidArgument);
    EXPECT_TRUE(q.init(rings.memory(), 8).has_value());
    EXPECT_EQ(q.free_descriptors(), 8);
}

TEST(SplitQueue, AChainIsLinkedAndPublished) {
    Fixture f(8);
    uint16_t head = add(f.queue, {{0x1000, 16, false}, {0x2000, 512, true}, {0x3000, 1, true}});
    EXPECT_EQ(f.queue.free_descriptors(), 5);
    ASSERT_EQ(f.device.take(), head);
    auto chain = f.device.chain(head);
    ASSERT_EQ(chain.size(), 3u);
    EXPECT_EQ(chain[0].address, 0x1000u);
    EXPECT_EQ(chain[0].length, 16u);
    EXPECT_EQ(chain[0].flags, lib::virtio::DESC_NEXT);
    EXPECT_EQ(chain[1].flags, lib::virtio::DESC_NEXT | lib::virtio::DESC_WRITE);
    EXPECT_EQ(chain[2].flags, lib::virtio::DESC_WRITE);
    EXPECT_EQ(chain[2].address, 0x3000u);
    EXPECT_EQ(f.device.take(), std::nullopt);
}

TEST(SplitQueue, CompletionFreesTheChain) {
    Fixture f(4);
    EXPECT_EQ(f.queue.pop_used().value(), std::nullopt);
    uint16_t head = add(f.queue, {{0x1000, 16, false}, {0x2000, 512, true}});
    f.device.take();
    f.device.complete(head, 512);
    auto done = f.queue.pop_used();
    ASSERT_TRUE(done.has_value() && done->has_value());
    EXPECT_EQ((*done)->head, head);
    EXPECT_EQ((*done)->written, 512u);
    EXPECT_EQ(f.queue.free_descriptors(), 4);
    EXPECT_EQ(f.queue.in_flight(), 0);
    EXPECT_EQ(f.queue.pop_used().value(), std::nullopt);
}

TEST(SplitQueue, FullQueueIsBusyUntilACompletion) {
    Fixture f(4);
    uint16_t a = add(f.queue, {{0x1000, 8, false}, {0x1100, 8, true}});
    add(f.queue, {{0x2000, 8, false}, {0x2100, 8, true}});
    Buffer one[] = {{0x3000, 8, false}};
    EXPECT_EQ(f.queue.add(one).error(), Error::Busy);
    f.device.take();
    f.device.complete(a, 0);
    ASSERT_TRUE(f.queue.pop_used().has_value());
    EXPECT_TRUE(f.queue.add(one).has_value());
}

TEST(SplitQueue, ChainsAreRefusedWhenMalformed) {
    Fixture f(8);
    EXPECT_EQ(f.queue.add({}).error(), Error::InvalidArgument);
    Buffer readable_after_writable[] = {{0x1000, 8, true}, {0x2000, 8, false}};
    EXPECT_EQ(f.queue.add(readable_after_writable).error(), Error::InvalidArgument);
    Buffer empty[] = {{0x1000, 0, false}};
    EXPECT_EQ(f.queue.add(empty).error(), Error::InvalidArgument);
    Buffer too_long[9] = {};
    for (Buffer& b : too_long)
        b = {0x1000, 8, false};
    EXPECT_EQ(f.queue.add(too_long).error(), Error::InvalidArgument);
    Buffer huge[] = {{0x1000, 0xffffffff, true}, {0x2000, 2, true}};
    EXPECT_EQ(f.queue.add(huge).error(), Error::Overflow);
    EXPECT_EQ(f.queue.free_descriptors(), 8); // nothing was taken by the refusals
}

TEST(SplitQueue, OutOfOrderCompletionAndReuse) {
    Fixture f(8);
    uint16_t a = add(f.queue, {{0xa000, 8, false}, {0xa100, 8, true}});
    uint16_t b = add(f.queue, {{0xb000, 8, false}, {0xb100, 8, true}, {0xb200, 8, true}});
    uint16_t c = add(f.queue, {{0xc000, 8, true}});
    f.device.complete(b, 16);
    f.device.complete(c, 8);
    f.device.complete(a, 8);
    EXPECT_EQ(f.queue.pop_used().value()->head, b);
    EXPECT_EQ(f.queue.pop_used().value()->head, c);
    EXPECT_EQ(f.queue.pop_used().value()->head, a);
    EXPECT_EQ(f.queue.free_descriptors(), 8);
    // All eight descriptors are reachable again through the scrambled free list.
    Buffer eight[8];
    for (Buffer& x : eight)
        x = {0x1000, 8, false};
    EXPECT_TRUE(f.queue.add(eight).has_value());
}

TEST(SplitQueue, IndicesWrapAroundPastSixteenBits) {
    Fixture f(4);
    std::mt19937 rng(17);
    std::vector<uint16_t> outstanding;
    uint64_t completed = 0;
    for (int round = 0; round < 150000; ++round) {
        if (outstanding.size() < 4 && rng() % 2) {
            uint64_t tag = round;
            Buffer b[] = {{tag << 12, 8, true}};
            auto head = f.queue.add(b);
            ASSERT_TRUE(head.has_value());
            auto taken = f.device.take();
            ASSERT_EQ(taken, *head);
            ASSERT_EQ(f.device.descriptor(*head).address, tag << 12); // this request's buffer
            outstanding.push_back(*head);
        } else if (!outstanding.empty()) {
            size_t pick = rng() % outstanding.size();
            f.device.complete(outstanding[pick], 8);
            auto done = f.queue.pop_used();
            ASSERT_TRUE(done.has_value() && done->has_value());
            ASSERT_EQ((*done)->head, outstanding[pick]);
            outstanding.erase(outstanding.begin() + pick);
            ++completed;
        }
    }
    EXPECT_GT(completed, 65536u * 1); // the 16-bit used index wrapped at least once
    EXPECT_EQ(f.queue.in_flight(), outstanding.size());
}

TEST(SplitQueue, NotificationFollowsTheDevicesFlag) {
    Fixture f(4);
    EXPECT_TRUE(f.queue.needs_notify());
    f.device.set_used_flags(lib::virtio::USED_NO_NOTIFY);
    EXPECT_FALSE(f.queue.needs_notify());
}

TEST(SplitQueueHostile, UsedIdOutOfRangeOrNotAHeadInFlight) {
    Fixture f(8);
    uint16_t head = add(f.queue, {{0x1000, 8, false}, {0x2000, 8, true}});
    f.device.complete(200, 0);
    EXPECT_EQ(f.queue.pop_used().error(), Error::Malformed);
    Fixture g(8);
    head = add(g.queue, {{0x1000, 8, false}, {0x2000, 8, true}});
    uint16_t second = g.device.descriptor(head).next; // inside the chain, not its head
    g.device.complete(second, 0);
    EXPECT_EQ(g.queue.pop_used().error(), Error::Malformed);
}

TEST(SplitQueueHostile, CompletingTwiceOrMoreThanOutstanding) {
    Fixture f(8);
    uint16_t head = add(f.queue, {{0x1000, 8, true}});
    add(f.queue, {{0x2000, 8, true}});
    f.device.complete(head, 8);
    f.device.complete(head, 8);
    EXPECT_TRUE(f.queue.pop_used().value().has_value());
    EXPECT_EQ(f.queue.pop_used().error(), Error::Malformed); // no longer in flight
    Fixture g(8);
    add(g.queue, {{0x1000, 8, true}});
    for (int i = 0; i < 5; ++i)
        g.device.complete(0, 8); // five completions for one request
    EXPECT_EQ(g.queue.pop_used().error(), Error::Malformed);
}

TEST(SplitQueueHostile, WrittenLengthBeyondTheWritableBuffers) {
    Fixture f(8);
    uint16_t head = add(f.queue, {{0x1000, 16, false}, {0x2000, 512, true}});
    f.device.complete(head, 513);
    EXPECT_EQ(f.queue.pop_used().error(), Error::Malformed);
}

TEST(SplitQueueHostile, RewrittenDescriptorsDoNotCorruptTheFreeList) {
    Fixture f(4);
    uint16_t head = add(f.queue, {{0x1000, 8, false}, {0x2000, 8, true}});
    Descriptor d = f.device.descriptor(head);
    d.next = head; // a loop, and a lie about the chain
    d.flags = lib::virtio::DESC_NEXT;
    f.device.set_descriptor(head, d);
    f.device.complete(head, 8);
    ASSERT_TRUE(f.queue.pop_used().value().has_value());
    EXPECT_EQ(f.queue.free_descriptors(), 4);
    Buffer four[4];
    for (Buffer& x : four)
        x = {0x1000, 8, false};
    auto all = f.queue.add(four);
    ASSERT_TRUE(all.has_value());
    // Four distinct descriptors: the chain the device sees visits each once.
    auto chain = f.device.chain(*all);
    ASSERT_EQ(chain.size(), 4u);
    EXPECT_EQ(chain.back().flags & lib::virtio::DESC_NEXT, 0);
}
