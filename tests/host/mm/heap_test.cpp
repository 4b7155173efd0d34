// The kernel heap over a host arena whose pages only become accessible as the heap grows, so a
// stray access beyond the grown end crashes the test instead of passing silently.
#include "kernel/mm/heap.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace {

using kernel::mm::Heap;
using kernel::mm::HeapGrower;
using lib::Error;

class ArenaGrower final : public HeapGrower {
public:
    explicit ArenaGrower(size_t size) : m_size(size) {
        m_base = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }
    ~ArenaGrower() { munmap(m_base, m_size); }

    lib::Result<void> grow(lib::VirtAddr end, size_t bytes) override {
        ++calls;
        if (fail)
            return lib::fail(Error::OutOfMemory);
        EXPECT_EQ(bytes % lib::PAGE_SIZE, 0u);
        EXPECT_EQ(end.value(), base().value() + grown) << "growth must be contiguous";
        EXPECT_LE(grown + bytes, m_size);
        // Sound: [end, end + bytes) lies inside our own mapping, checked just above.
        if (mprotect(reinterpret_cast<void*>(end.value()), bytes, PROT_READ | PROT_WRITE) != 0)
            return lib::fail(Error::OutOfMemory);
        grown += bytes;
        return {};
    }

    lib::VirtAddr base() const { return lib::VirtAddr(reinterpret_cast<uintptr_t>(m_base)); }

    size_t grown = 0;
    int calls = 0;
    bool fail = false;

private:
    void* m_base;
    size_t m_size;
};

class HeapTest : public ::testing::Test {
protected:
    static constexpr size_t ARENA = 64 * 1024 * 1024;

    void SetUp() override { ASSERT_TRUE(m_heap.init(m_grower.base(), ARENA, m_grower)); }

    void expect_consistent() {
        const char* problem = m_heap.check_invariants();
        EXPECT_EQ(problem, nullptr) << problem;
    }

    void* must_allocate(size_t size, size_t align = Heap::MIN_ALIGN) {
        auto result = m_heap.allocate(size, align);
        EXPECT_TRUE(result) << "size " << size << " align " << align;
        return result ? *result : nullptr;
    }

    ArenaGrower m_grower{ARENA};
    Heap m_heap;
};

TEST_F(HeapTest, StartsEmptyAndGrowsByChunks) {
    EXPECT_EQ(m_heap.stats().mapped_bytes, 0u);
    void* p = must_allocate(100);
    EXPECT_EQ(m_grower.calls, 1);
    EXPECT_EQ(m_heap.stats().mapped_bytes, Heap::GROW_CHUNK);
    for (int i = 0; i < 100; ++i)
        must_allocate(100);
    EXPECT_EQ(m_grower.calls, 1) << "small allocations must share one chunk";
    EXPECT_TRUE(m_heap.owns(p));
    expect_consistent();
}

TEST_F(HeapTest, AllocateAndFreeRestoreOneFreeBlock) {
    void* a = must_allocate(24);
    void* b = must_allocate(1000);
    void* c = must_allocate(5);
    auto stats = m_heap.stats();
    EXPECT_EQ(stats.allocated_blocks, 3u);
    EXPECT_EQ(stats.bytes_requested, 24u + 1000u + 5u);
    EXPECT_EQ(stats.bytes_in_use + stats.bytes_free, stats.mapped_bytes);
    // Free the outer two first, then the middle one: it must merge with both neighbours.
    ASSERT_TRUE(m_heap.deallocate(a));
    ASSERT_TRUE(m_heap.deallocate(c));
    expect_consistent();
    ASSERT_TRUE(m_heap.deallocate(b));
    stats = m_heap.stats();
    EXPECT_EQ(stats.allocated_blocks, 0u);
    EXPECT_EQ(stats.bytes_in_use, 0u);
    EXPECT_EQ(stats.free_blocks, 1u);
    EXPECT_EQ(stats.bytes_free, stats.mapped_bytes);
    expect_consistent();
}

TEST_F(HeapTest, AlignedAllocations) {
    std::vector<void*> blocks;
    for (size_t align = 1; align <= 8192; align *= 2) {
        for (size_t size : {size_t(1), size_t(17), size_t(4096)}) {
            void* p = must_allocate(size, align);
            EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % std::max(align, Heap::MIN_ALIGN), 0u);
            blocks.push_back(p);
            expect_consistent();
        }
    }
    for (void* p : blocks)
        ASSERT_TRUE(m_heap.deallocate(p));
    EXPECT_EQ(m_heap.stats().free_blocks, 1u);
    expect_consistent();
}

TEST_F(HeapTest, ZeroSizeAllocationsAreDistinct) {
    void* a = must_allocate(0);
    void* b = must_allocate(0);
    EXPECT_NE(a, b);
    EXPECT_TRUE(m_heap.deallocate(a));
    EXPECT_TRUE(m_heap.deallocate(b));
}

TEST_F(HeapTest, BadAlignmentIsRejected) {
    auto result = m_heap.allocate(10, 24);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Error::InvalidArgument);
}

TEST_F(HeapTest, DoubleFreeIsDetected) {
    void* a = must_allocate(64);
    void* b = must_allocate(64);
    void* c = must_allocate(64);
    ASSERT_TRUE(m_heap.deallocate(b));
    auto again = m_heap.deallocate(b);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), Error::DoubleFree);
    // After b merged into a's block, a's header is gone: still a double free, not a crash.
    ASSERT_TRUE(m_heap.deallocate(a));
    auto merged = m_heap.deallocate(b);
    ASSERT_FALSE(merged);
    EXPECT_EQ(merged.error(), Error::DoubleFree);
    auto first = m_heap.deallocate(a);
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error(), Error::DoubleFree);
    EXPECT_EQ(m_heap.stats().allocated_blocks, 1u);
    ASSERT_TRUE(m_heap.deallocate(c));
    expect_consistent();
}

TEST_F(HeapTest, InvalidPointersAreRejected) {
    auto* a = static_cast<unsigned char*>(must_allocate(256));
    int on_stack = 0;
    auto before = m_heap.stats();
    for (void* bad : {static_cast<void*>(a + 16), static_cast<void*>(a + 1),
                      static_cast<void*>(&on_stack), static_cast<void*>(nullptr),
                      reinterpret_cast<void*>(m_grower.base().value() + ARENA - 64)}) {
        auto result = m_heap.deallocate(bad);
        ASSERT_FALSE(result) << bad;
        EXPECT_EQ(result.error(), Error::InvalidArgument) << bad;
    }
    EXPECT_EQ(m_heap.stats().allocated_blocks, before.allocated_blocks);
    expect_consistent();
    ASSERT_TRUE(m_heap.deallocate(a));
}

TEST_F(HeapTest, SizedFreeChecksSizeAndAlignment) {
    void* p = must_allocate(100, 64);
    auto wrong_size = m_heap.deallocate(p, 99, 64);
    ASSERT_FALSE(wrong_size);
    EXPECT_EQ(wrong_size.error(), Error::InvalidArgument);
    auto wrong_align = m_heap.deallocate(p, 100, 16);
    ASSERT_FALSE(wrong_align);
    EXPECT_EQ(wrong_align.error(), Error::InvalidArgument);
    EXPECT_TRUE(m_heap.deallocate(p, 100, 64));
    void* q = must_allocate(8);
    EXPECT_TRUE(m_heap.deallocate(q, 8, 1)) << "alignments below MIN_ALIGN mean MIN_ALIGN";
    expect_consistent();
}

TEST_F(HeapTest, OutOfMemoryIsAnErrorNotACrash) {
    auto huge = m_heap.allocate(SIZE_MAX);
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error(), Error::OutOfMemory);
    auto huge_align = m_heap.allocate(16, size_t(1) << 63);
    ASSERT_FALSE(huge_align);
    EXPECT_EQ(huge_align.error(), Error::OutOfMemory);

    std::vector<void*> blocks;
    for (;;) {
        auto p = m_heap.allocate(1024 * 1024 - 256);
        if (!p) {
            EXPECT_EQ(p.error(), Error::OutOfMemory);
            break;
        }
        blocks.push_back(*p);
    }
    EXPECT_GE(blocks.size(), 60u);
    EXPECT_LE(m_heap.stats().mapped_bytes, ARENA);
    expect_consistent();
    for (void* p : blocks)
        ASSERT_TRUE(m_heap.deallocate(p));
    EXPECT_EQ(m_heap.stats().free_blocks, 1u);
    expect_consistent();
}

TEST_F(HeapTest, GrowerFailureIsReportedAndRecoverable) {
    m_grower.fail = true;
    auto result = m_heap.allocate(32);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Error::OutOfMemory);
    expect_consistent();
    m_grower.fail = false;
    void* p = must_allocate(32);
    ASSERT_TRUE(m_heap.deallocate(p));
    expect_consistent();
}

TEST_F(HeapTest, InvariantCheckerNoticesCorruption) {
    auto* a = static_cast<unsigned char*>(must_allocate(64));
    must_allocate(64);
    expect_consistent();
    // Overwrite a's header tag, as a buffer underrun in the block before it would.
    unsigned char saved[8];
    std::memcpy(saved, a - Heap::HEADER_SIZE + 8, 8);
    std::memset(a - Heap::HEADER_SIZE + 8, 0x41, 8);
    EXPECT_NE(m_heap.check_invariants(), nullptr);
    auto result = m_heap.deallocate(a);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Error::InvalidArgument);
    std::memcpy(a - Heap::HEADER_SIZE + 8, saved, 8);
    expect_consistent();
}

TEST_F(HeapTest, RandomizedStressKeepsInvariantsAndContents) {
    struct Live {
        unsigned char* ptr;
        size_t size;
        size_t align;
        unsigned char pattern;
    };
    std::mt19937_64 rng(0x6d6e6f73); // fixed seed: a failure reproduces exactly
    std::vector<Live> live;
    auto verify = [](const Live& block) {
        for (size_t i = 0; i < block.size; ++i) {
            if (block.ptr[i] != static_cast<unsigned char>(block.pattern + i))
                return false;
        }
        return true;
    };
    for (int step = 0; step < 6000; ++step) {
        bool do_alloc = live.empty() || rng() % 100 < 55;
        if (do_alloc) {
            size_t size;
            switch (rng() % 10) {
            case 0: size = rng() % 16384; break;
            case 1:
            case 2: size = rng() % 2048; break;
            default: size = rng() % 128; break;
            }
            size_t align = size_t(1) << (rng() % 13); // 1 .. 4096
            auto result = m_heap.allocate(size, align);
            ASSERT_TRUE(result) << "step " << step;
            Live block{static_cast<unsigned char*>(*result), size, align,
                       static_cast<unsigned char>(rng())};
            uintptr_t address = reinterpret_cast<uintptr_t>(block.ptr);
            ASSERT_EQ(address % std::max(align, Heap::MIN_ALIGN), 0u);
            for (size_t i = 0; i < size; ++i)
                block.ptr[i] = static_cast<unsigned char>(block.pattern + i);
            live.push_back(block);
        } else {
            size_t index = rng() % live.size();
            Live block = live[index];
            live[index] = live.back();
            live.pop_back();
            ASSERT_TRUE(verify(block)) << "block overwritten before step " << step;
            auto result = rng() % 2 ? m_heap.deallocate(block.ptr, block.size, block.align)
                                    : m_heap.deallocate(block.ptr);
            ASSERT_TRUE(result) << "step " << step;
        }
        const char* problem = m_heap.check_invariants();
        ASSERT_EQ(problem, nullptr) << "step " << step << ": " << problem;
    }
    for (const Live& block : live) {
        ASSERT_TRUE(verify(block));
        ASSERT_TRUE(m_heap.deallocate(block.ptr));
    }
    auto stats = m_heap.stats();
    EXPECT_EQ(stats.allocated_blocks, 0u);
    EXPECT_EQ(stats.bytes_in_use, 0u);
    EXPECT_EQ(stats.bytes_requested, 0u);
    EXPECT_EQ(stats.free_blocks, 1u);
    expect_consistent();
}

TEST_F(HeapTest, ConcurrentUseStaysConsistent) {
    auto worker = [&](unsigned seed) {
        std::mt19937 rng(seed);
        std::vector<void*> mine;
        for (int i = 0; i < 3000; ++i) {
            if (mine.empty() || rng() % 2) {
                auto p = m_heap.allocate(rng() % 512, size_t(1) << (rng() % 7));
                ASSERT_TRUE(p);
                mine.push_back(*p);
            } else {
                ASSERT_TRUE(m_heap.deallocate(mine.back()));
                mine.pop_back();
            }
        }
        for (void* p : mine)
            ASSERT_TRUE(m_heap.deallocate(p));
    };
    std::thread a(worker, 1), b(worker, 2);
    a.join();
    b.join();
    EXPECT_EQ(m_heap.stats().allocated_blocks, 0u);
    expect_consistent();
}

TEST(HeapInit, RejectsBadRanges) {
    ArenaGrower grower(1024 * 1024);
    Heap heap;
    EXPECT_FALSE(heap.init(grower.base() + 8, 1024 * 1024, grower));
    EXPECT_FALSE(heap.init(grower.base(), 0, grower));
    EXPECT_FALSE(heap.init(lib::VirtAddr(~uint64_t(0) & ~uint64_t(0xfff)), 0x2000, grower));
    auto uninitialised = heap.allocate(8);
    ASSERT_FALSE(uninitialised);
    EXPECT_EQ(uninitialised.error(), Error::InvalidArgument);
    ASSERT_TRUE(heap.init(grower.base(), 1024 * 1024, grower, 8192));
    EXPECT_EQ(heap.stats().mapped_bytes, 8192u);
    EXPECT_FALSE(heap.init(grower.base(), 1024 * 1024, grower));
}

} // namespace
