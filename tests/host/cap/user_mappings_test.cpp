// Regions (kernel/object/address_space.h): which record mapped a page, and that records
// keep their frames alive until they are deleted.
#include <gtest/gtest.h>

#include <vector>

#include "kernel/object/address_space.h"

using kernel::object::Region;
using kernel::object::Regions;
using lib::PhysAddr;
using lib::VirtAddr;

namespace {

class CountingAllocator final : public kernel::mm::FrameAllocator {
public:
    lib::Result<PhysAddr> allocate_frame() override { return lib::fail(mnos::Error::Unsupported); }
    lib::Result<void> free_frame(PhysAddr frame) override {
        freed.push_back(frame);
        return {};
    }
    std::vector<PhysAddr> freed;
};

Region* record(lib::RefPtr<kernel::object::MemoryFrame> frame, uint64_t base) {
    auto* mapping = new Region;
    mapping->base = VirtAddr(base);
    mapping->pages = frame->page_count();
    mapping->still_mapped = mapping->pages;
    mapping->frame = std::move(frame);
    return mapping;
}

} // namespace

TEST(Regions, FindsTheRecordByPageAndPhysicalAddress) {
    CountingAllocator allocator;
    auto frame = *kernel::object::MemoryFrame::create(PhysAddr(0x200000), 4, &allocator);
    Regions mappings;
    kernel::Guard guard(mappings.lock()); // the *_locked calls below need it
    // The same frame at two places: each page belongs to the record that put that phys there.
    Region* low = record(frame, 0x10000);
    Region* high = record(frame, 0x12000); // overlaps `low`'s last two pages' addresses
    mappings.add_locked(*low);
    mappings.add_locked(*high);
    EXPECT_EQ(mappings.find_locked(VirtAddr(0x10000), PhysAddr(0x200000)), low);
    EXPECT_EQ(mappings.find_locked(VirtAddr(0x13000), PhysAddr(0x203000)), low);
    EXPECT_EQ(mappings.find_locked(VirtAddr(0x13000), PhysAddr(0x201000)), high);
    EXPECT_EQ(mappings.find_locked(VirtAddr(0x15000), PhysAddr(0x203000)), high);
    EXPECT_EQ(mappings.find_locked(VirtAddr(0x16000), PhysAddr(0x204000)), nullptr); // past it
    EXPECT_EQ(mappings.find_locked(VirtAddr(0xf000), PhysAddr(0x1ff000)), nullptr);  // before
    EXPECT_EQ(mappings.find_locked(VirtAddr(0x11000), PhysAddr(0x300000)), nullptr); // other phys
}

TEST(Regions, RecordsKeepTheirFrameUntilDeleted) {
    CountingAllocator allocator;
    {
        Regions mappings;
        kernel::Guard guard(mappings.lock()); // the *_locked calls below need it
        {
            auto frame = *kernel::object::MemoryFrame::create(PhysAddr(0x200000), 2, &allocator);
            mappings.add_locked(*record(frame, 0x10000));
        } // the creator's reference (the capability, say) is gone
        EXPECT_TRUE(allocator.freed.empty());

        Regions::List taken;
        mappings.take_all_locked(taken);
        EXPECT_TRUE(allocator.freed.empty());
        Regions::free_all(taken);
        EXPECT_EQ(allocator.freed.size(), 2u);
    }
    // The destructor frees what is still recorded.
    {
        Regions mappings;
        kernel::Guard guard(mappings.lock()); // the *_locked calls below need it
        auto frame = *kernel::object::MemoryFrame::create(PhysAddr(0x400000), 1, &allocator);
        mappings.add_locked(*record(std::move(frame), 0x20000));
    }
    ASSERT_EQ(allocator.freed.size(), 3u);
    EXPECT_EQ(allocator.freed[2], PhysAddr(0x400000));
}
