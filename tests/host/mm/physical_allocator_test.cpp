// The bitmap frame allocator against synthetic firmware memory maps.
#include "kernel/mm/physical_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <set>
#include <thread>
#include <vector>

#include "tests/host/mm/sim_memory.h"

namespace {

using kernel::MemoryRegion;
using kernel::MemoryType;
using kernel::mm::PhysicalAllocator;
using kernel::mm::PhysRange;
using lib::Error;
using lib::PAGE_SIZE;
using lib::PhysAddr;

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t GiB = 1024 * MiB;

MemoryRegion usable(uint64_t base, uint64_t length) {
    return {PhysAddr(base), length, MemoryType::Usable};
}
MemoryRegion reserved(uint64_t base, uint64_t length, MemoryType type = MemoryType::Reserved) {
    return {PhysAddr(base), length, type};
}
PhysRange range(uint64_t start, uint64_t end) { return {PhysAddr(start), PhysAddr(end)}; }

class PmmTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(m_memory.ok()); }

    lib::Result<void> init(std::initializer_list<MemoryRegion> map,
                           std::initializer_list<PhysRange> reservations = {}) {
        m_map.assign(map);
        m_reservations.assign(reservations);
        return m_pmm.init(m_map, m_reservations, m_memory.window());
    }

    // Allocates until the allocator reports OutOfMemory; checks every frame is new and aligned.
    std::vector<PhysAddr> drain() {
        std::vector<PhysAddr> frames;
        std::set<uint64_t> seen;
        for (;;) {
            auto frame = m_pmm.alloc();
            if (!frame) {
                EXPECT_EQ(frame.error(), Error::OutOfMemory);
                break;
            }
            EXPECT_TRUE(frame->is_aligned(PAGE_SIZE));
            EXPECT_TRUE(seen.insert(frame->value()).second) << "frame handed out twice";
            frames.push_back(*frame);
        }
        return frames;
    }

    static bool inside(PhysAddr frame, uint64_t start, uint64_t end) {
        return frame.value() + PAGE_SIZE > start && frame.value() < end;
    }

    mm_test::SimulatedPhysicalMemory m_memory;
    PhysicalAllocator m_pmm;
    std::vector<MemoryRegion> m_map;
    std::vector<PhysRange> m_reservations;
};

TEST_F(PmmTest, TypicalMapCountsAndPlacesBitmap) {
    ASSERT_TRUE(init({usable(0, 640 * KiB), reserved(640 * KiB, 384 * KiB), usable(MiB, 127 * MiB)},
                     {range(2 * MiB, 4 * MiB)}));
    // 128 MiB = 32768 frames: two bitmaps of 512 words = 8 KiB = 2 frames, placed at 1 MiB
    // (the region below 640 KiB lies inside the always-reserved first MiB).
    EXPECT_EQ(m_pmm.bitmap_storage().start, PhysAddr(MiB));
    EXPECT_EQ(m_pmm.bitmap_storage().end, PhysAddr(MiB + 8 * KiB));
    auto stats = m_pmm.stats();
    EXPECT_EQ(stats.total_frames, 160u + 32512u);
    EXPECT_EQ(stats.reserved_frames, 160u + 512u + 2u);
    EXPECT_EQ(stats.free_frames, stats.total_frames - stats.reserved_frames);
    EXPECT_EQ(stats.used_frames, 0u);
    EXPECT_EQ(stats.free_bytes(), stats.free_frames * PAGE_SIZE);
    EXPECT_EQ(stats.total_bytes(), (640 * KiB) + 127 * MiB);
}

TEST_F(PmmTest, AllocateEverythingThenFreeEverything) {
    ASSERT_TRUE(init({usable(0, 640 * KiB), usable(MiB, 63 * MiB)}, {range(2 * MiB, 3 * MiB)}));
    auto before = m_pmm.stats();
    auto frames = drain();
    EXPECT_EQ(frames.size(), before.free_frames);
    auto full = m_pmm.stats();
    EXPECT_EQ(full.free_frames, 0u);
    EXPECT_EQ(full.used_frames, before.free_frames);
    auto storage = m_pmm.bitmap_storage();
    for (PhysAddr frame : frames) {
        EXPECT_FALSE(inside(frame, 0, MiB));
        EXPECT_FALSE(inside(frame, 2 * MiB, 3 * MiB));
        EXPECT_FALSE(inside(frame, storage.start.value(), storage.end.value()));
        EXPECT_TRUE(m_pmm.is_allocated(frame));
    }
    for (PhysAddr frame : frames)
        ASSERT_TRUE(m_pmm.free(frame));
    auto after = m_pmm.stats();
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.used_frames, 0u);
    EXPECT_EQ(after.reserved_frames, before.reserved_frames);
    // And the same frames come back again.
    EXPECT_EQ(drain().size(), before.free_frames);
}

TEST_F(PmmTest, OverlappingRegionsReservedWins) {
    ASSERT_TRUE(init({usable(MiB, 15 * MiB),
                      reserved(8 * MiB + 100, MiB - 200, MemoryType::AcpiNvs),
                      usable(12 * MiB, 8 * MiB)}));
    // [1, 20) MiB usable once (the two usable regions overlap), minus the whole frames the NVS
    // region touches: [8 MiB, 9 MiB).
    EXPECT_EQ(m_pmm.stats().total_frames, 19 * MiB / PAGE_SIZE - 256);
    for (PhysAddr frame : drain()) {
        EXPECT_FALSE(inside(frame, 8 * MiB, 9 * MiB));
        EXPECT_LT(frame.value(), 20 * MiB);
    }
}

TEST_F(PmmTest, UnalignedUsableRoundsInwardReservedOutward) {
    ASSERT_TRUE(init({usable(MiB + 1, 4 * MiB - 2)}, {range(3 * MiB + 1, 3 * MiB + 2)}));
    // Inward: the partial first and last frames are dropped.
    EXPECT_EQ(m_pmm.stats().total_frames, 4 * MiB / PAGE_SIZE - 2);
    auto frames = drain();
    for (PhysAddr frame : frames) {
        EXPECT_GE(frame.value(), MiB + PAGE_SIZE);
        EXPECT_LT(frame.value(), 5 * MiB - PAGE_SIZE);
        EXPECT_NE(frame.value(), 3 * MiB) << "outward rounding must reserve the touched frame";
    }
    EXPECT_TRUE(m_pmm.is_reserved(PhysAddr(3 * MiB)));
}

TEST_F(PmmTest, ZeroLengthRegionsAndReservationsChangeNothing) {
    ASSERT_TRUE(init({usable(MiB, 0), usable(MiB, 4 * MiB), reserved(2 * MiB, 0),
                      usable(64 * MiB, 0)},
                     {range(3 * MiB + 5, 3 * MiB + 5), range(4 * MiB, 4 * MiB)}));
    auto stats = m_pmm.stats();
    EXPECT_EQ(stats.total_frames, 4 * MiB / PAGE_SIZE);
    EXPECT_EQ(stats.reserved_frames, 1u); // the bitmap frame only
    EXPECT_EQ(m_pmm.end(), PhysAddr(5 * MiB)) << "a zero-length region must not extend the bitmap";
}

TEST_F(PmmTest, OnlyZeroLengthUsableIsOutOfMemory) {
    auto result = init({usable(MiB, 0), reserved(0, 16 * MiB)});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Error::OutOfMemory);
    EXPECT_FALSE(m_pmm.is_initialized());
}

TEST_F(PmmTest, HolesAndMemoryAbove4GiB) {
    ASSERT_TRUE(init({usable(0, 640 * KiB), usable(MiB, 3 * GiB - MiB),
                      reserved(0xfec00000, 0x1000), usable(4 * GiB, 2 * GiB)},
                     {range(2 * MiB, 6 * MiB)}));
    auto before = m_pmm.stats();
    EXPECT_EQ(before.total_frames, (640 * KiB + 3 * GiB - MiB + 2 * GiB) / PAGE_SIZE);
    auto frames = drain();
    EXPECT_EQ(frames.size(), before.free_frames);
    uint64_t high = 0;
    for (PhysAddr frame : frames) {
        EXPECT_FALSE(inside(frame, 3 * GiB, 4 * GiB)) << "allocated from the PCI hole";
        EXPECT_LT(frame.value(), 6 * GiB);
        high += frame.value() >= 4 * GiB;
    }
    EXPECT_EQ(high, 2 * GiB / PAGE_SIZE);
    auto hole = m_pmm.free(PhysAddr(3 * GiB + 64 * KiB));
    ASSERT_FALSE(hole);
    EXPECT_EQ(hole.error(), Error::InvalidArgument);
    for (PhysAddr frame : frames)
        ASSERT_TRUE(m_pmm.free(frame));
    EXPECT_EQ(m_pmm.stats().free_frames, before.free_frames);
}

TEST_F(PmmTest, OnlyMemoryAbove4GiB) {
    ASSERT_TRUE(init({usable(8 * GiB, 64 * MiB)}));
    EXPECT_EQ(m_pmm.bitmap_storage().start, PhysAddr(8 * GiB));
    auto frame = m_pmm.alloc_zeroed();
    ASSERT_TRUE(frame);
    EXPECT_GE(frame->value(), 8 * GiB);
}

TEST_F(PmmTest, AddressesBeyondThePhysicalLimitAreIgnored) {
    ASSERT_TRUE(init({usable(MiB, MiB), usable(0xfffffffffffff000, 0x2000),
                      usable(uint64_t(1) << 60, MiB)}));
    EXPECT_EQ(m_pmm.stats().total_frames, MiB / PAGE_SIZE);
    EXPECT_EQ(m_pmm.end(), PhysAddr(2 * MiB));
}

TEST_F(PmmTest, TinyMaps) {
    // Two frames: one for the bitmap, one to hand out.
    ASSERT_TRUE(init({usable(MiB, 2 * PAGE_SIZE)}));
    EXPECT_EQ(m_pmm.stats().free_frames, 1u);
    auto frame = m_pmm.alloc();
    ASSERT_TRUE(frame);
    EXPECT_EQ(*frame, PhysAddr(MiB + PAGE_SIZE));
    auto none = m_pmm.alloc();
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error(), Error::OutOfMemory);
}

TEST_F(PmmTest, SingleFrameMapHoldsOnlyTheBitmap) {
    ASSERT_TRUE(init({usable(MiB, PAGE_SIZE)}));
    EXPECT_EQ(m_pmm.stats().free_frames, 0u);
    EXPECT_FALSE(m_pmm.alloc());
}

TEST_F(PmmTest, MemoryOnlyBelowOneMiBHasNoPlaceForTheBitmap) {
    auto result = init({usable(0, 640 * KiB)});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Error::OutOfMemory);
}

TEST_F(PmmTest, BitmapSkipsReservationsAndUsesFirstRegionBigEnough) {
    // The first region above 1 MiB is too small once the kernel is reserved in it.
    ASSERT_TRUE(init({usable(MiB, 2 * MiB), usable(16 * MiB, 4 * GiB)},
                     {range(MiB, 3 * MiB - PAGE_SIZE)}));
    // 4 GiB + 16 MiB of frames need 2 * 16 KiB + a bit of bitmap: more than the one frame left.
    EXPECT_EQ(m_pmm.bitmap_storage().start, PhysAddr(16 * MiB));
}

TEST_F(PmmTest, BitmapStepsOverReservationsInsideARegion) {
    // 128 MiB of frames need a 2-frame bitmap, which the 1-frame gap at 2 MiB cannot hold.
    ASSERT_TRUE(
        init({usable(MiB, 127 * MiB)}, {range(MiB, 2 * MiB), range(2 * MiB + 4 * KiB, 3 * MiB)}));
    EXPECT_EQ(m_pmm.bitmap_storage().start, PhysAddr(3 * MiB));
}

TEST_F(PmmTest, ReservationsCrossingRegionEdges) {
    ASSERT_TRUE(init({usable(MiB, MiB), usable(3 * MiB, MiB), usable(8 * MiB, MiB)},
                     {range(2 * MiB - 8 * KiB, 3 * MiB + 8 * KiB),
                      range(9 * MiB - 4 * KiB, 10 * MiB),
                      range(512 * KiB, MiB + 4 * KiB)}));
    auto stats = m_pmm.stats();
    EXPECT_EQ(stats.total_frames, 3 * 256u);
    // 2 + 2 frames around the 2..3 MiB hole, 1 at the end of the last region, 1 above 1 MiB,
    // and one bitmap frame (placed at 1 MiB + 4 KiB, the first free frame).
    EXPECT_EQ(stats.reserved_frames, 2u + 2u + 1u + 1u + 1u);
    EXPECT_EQ(m_pmm.bitmap_storage().start, PhysAddr(MiB + 4 * KiB));
    for (PhysAddr frame : drain()) {
        EXPECT_FALSE(inside(frame, 2 * MiB - 8 * KiB, 3 * MiB + 8 * KiB));
        EXPECT_FALSE(inside(frame, 9 * MiB - 4 * KiB, 10 * MiB));
    }
}

TEST_F(PmmTest, DoubleFreeIsDetected) {
    ASSERT_TRUE(init({usable(MiB, 16 * MiB)}));
    auto frame = m_pmm.alloc();
    ASSERT_TRUE(frame);
    ASSERT_TRUE(m_pmm.free(*frame));
    auto before = m_pmm.stats();
    auto again = m_pmm.free(*frame);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), Error::DoubleFree);
    EXPECT_EQ(m_pmm.stats().free_frames, before.free_frames);
    // A frame that was never allocated is free too.
    auto never = m_pmm.free(PhysAddr(10 * MiB));
    ASSERT_FALSE(never);
    EXPECT_EQ(never.error(), Error::DoubleFree);
}

TEST_F(PmmTest, FreeingReservedOrForeignFramesIsRejected) {
    ASSERT_TRUE(init({usable(0, 640 * KiB), usable(MiB, 16 * MiB), reserved(17 * MiB, MiB),
                      usable(18 * MiB, MiB)},
                     {range(2 * MiB, 4 * MiB)}));
    auto frame = m_pmm.alloc();
    ASSERT_TRUE(frame);
    auto before = m_pmm.stats();
    for (uint64_t bad : {uint64_t(0), 0x1000ul, 0x9f000ul,     // the first MiB
                         2 * MiB, 4 * MiB - PAGE_SIZE,           // the kernel image
                         m_pmm.bitmap_storage().start.value(),   // the bitmap itself
                         17 * MiB + 8 * KiB,                     // a firmware-reserved region
                         19 * MiB, 64 * GiB,                     // beyond the last region
                         frame->value() + 1}) {                  // unaligned
        auto result = m_pmm.free(PhysAddr(bad));
        ASSERT_FALSE(result) << std::hex << bad;
        EXPECT_EQ(result.error(), Error::InvalidArgument) << std::hex << bad;
    }
    auto after = m_pmm.stats();
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.reserved_frames, before.reserved_frames);
    EXPECT_TRUE(m_pmm.is_allocated(*frame));
}

TEST_F(PmmTest, ContiguousAllocationHonoursAlignment) {
    ASSERT_TRUE(init({usable(MiB, 63 * MiB)}, {range(2 * MiB, 2 * MiB + 4 * KiB)}));
    auto before = m_pmm.stats();
    auto single = m_pmm.alloc(); // disturb the low end so alignment has to skip something
    ASSERT_TRUE(single);
    auto dma = m_pmm.alloc_contiguous(16, 64 * KiB);
    ASSERT_TRUE(dma);
    EXPECT_TRUE(dma->is_aligned(64 * KiB));
    auto large = m_pmm.alloc_contiguous(512, 2 * MiB);
    ASSERT_TRUE(large);
    EXPECT_TRUE(large->is_aligned(2 * MiB));
    EXPECT_GE(large->value(), 4 * MiB) << "2..4 MiB contains a reserved frame";
    for (uint64_t i = 0; i < 16; ++i)
        EXPECT_TRUE(m_pmm.is_allocated(*dma + i * PAGE_SIZE));
    for (uint64_t i = 0; i < 512; ++i)
        EXPECT_TRUE(m_pmm.is_allocated(*large + i * PAGE_SIZE));
    EXPECT_EQ(m_pmm.stats().used_frames, 1u + 16u + 512u);
    ASSERT_TRUE(m_pmm.free_contiguous(*large, 512));
    ASSERT_TRUE(m_pmm.free_contiguous(*dma, 16));
    ASSERT_TRUE(m_pmm.free(*single));
    EXPECT_EQ(m_pmm.stats().free_frames, before.free_frames);
}

TEST_F(PmmTest, ContiguousAllocationFailsOnFragmentedMemory) {
    ASSERT_TRUE(init({usable(MiB, 4 * MiB)}));
    auto frames = drain();
    for (size_t i = 0; i < frames.size(); i += 2)
        ASSERT_TRUE(m_pmm.free(frames[i]));
    // Plenty of free frames, but no two of them adjacent.
    EXPECT_GT(m_pmm.stats().free_frames, 100u);
    auto pair = m_pmm.alloc_contiguous(2);
    ASSERT_FALSE(pair);
    EXPECT_EQ(pair.error(), Error::OutOfMemory);
    EXPECT_TRUE(m_pmm.alloc_contiguous(1));
    auto bad = m_pmm.alloc_contiguous(1, 3 * PAGE_SIZE);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Error::InvalidArgument);
    EXPECT_FALSE(m_pmm.alloc_contiguous(0));
}

TEST_F(PmmTest, FreeContiguousIsAllOrNothing) {
    ASSERT_TRUE(init({usable(MiB, 16 * MiB)}));
    auto block = m_pmm.alloc_contiguous(8);
    ASSERT_TRUE(block);
    ASSERT_TRUE(m_pmm.free(*block + 5 * PAGE_SIZE));
    auto before = m_pmm.stats();
    auto result = m_pmm.free_contiguous(*block, 8);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Error::DoubleFree);
    EXPECT_EQ(m_pmm.stats().free_frames, before.free_frames);
    EXPECT_TRUE(m_pmm.is_allocated(*block));
    ASSERT_TRUE(m_pmm.free_contiguous(*block, 5));
    ASSERT_TRUE(m_pmm.free_contiguous(*block + 6 * PAGE_SIZE, 2));
    EXPECT_EQ(m_pmm.stats().used_frames, 0u);
}

TEST_F(PmmTest, AllocZeroedClearsAReusedFrame) {
    ASSERT_TRUE(init({usable(MiB, 2 * PAGE_SIZE)})); // exactly one allocatable frame
    auto frame = m_pmm.alloc();
    ASSERT_TRUE(frame);
    auto* bytes = m_memory.window().ptr<unsigned char>(*frame);
    std::memset(bytes, 0xab, PAGE_SIZE);
    ASSERT_TRUE(m_pmm.free(*frame));
    auto zeroed = m_pmm.alloc_zeroed();
    ASSERT_TRUE(zeroed);
    ASSERT_EQ(*zeroed, *frame);
    EXPECT_TRUE(std::all_of(bytes, bytes + PAGE_SIZE, [](unsigned char b) { return b == 0; }));
}

TEST_F(PmmTest, SecondInitIsRejected) {
    ASSERT_TRUE(init({usable(MiB, MiB)}));
    auto again = m_pmm.init(m_map, m_reservations, m_memory.window());
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), Error::InvalidArgument);
}

TEST_F(PmmTest, FreedFramesAreReusedAfterTheHintMoves) {
    ASSERT_TRUE(init({usable(MiB, 8 * MiB)}));
    auto first = m_pmm.alloc();
    ASSERT_TRUE(first);
    for (int i = 0; i < 1000; ++i)
        ASSERT_TRUE(m_pmm.alloc());
    ASSERT_TRUE(m_pmm.free(*first));
    // The drain must find the freed low frame even though the search starts further up.
    auto rest = drain();
    EXPECT_NE(std::find(rest.begin(), rest.end(), *first), rest.end());
}

TEST_F(PmmTest, ConcurrentAllocAndFreeKeepCountsExact) {
    ASSERT_TRUE(init({usable(MiB, 64 * MiB)}));
    auto before = m_pmm.stats();
    auto worker = [&] {
        std::vector<PhysAddr> mine;
        for (int round = 0; round < 200; ++round) {
            for (int i = 0; i < 50; ++i) {
                auto frame = m_pmm.alloc();
                ASSERT_TRUE(frame);
                mine.push_back(*frame);
            }
            for (PhysAddr frame : mine)
                ASSERT_TRUE(m_pmm.free(frame));
            mine.clear();
        }
    };
    std::thread a(worker), b(worker);
    a.join();
    b.join();
    EXPECT_EQ(m_pmm.stats().free_frames, before.free_frames);
}

} // namespace
