// Page-table logic on simulated physical memory: entry bits exactly as the SDM defines them,
// error cases, large pages, and that address spaces give back every table frame.
#include "kernel/mm/page_table.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "kernel/mm/address_space.h"
#include "kernel/mm/physical_allocator.h"
#include "tests/host/mm/sim_memory.h"

namespace {

using namespace kernel::mm;
using lib::Error;
using lib::PhysAddr;
using lib::VirtAddr;

constexpr uint64_t MiB = 1024 * 1024;
constexpr uint64_t HHDM = 0xffff800000000000;

// Hands out frames from [16 MiB, ...) of the simulated memory, remembers which are outstanding,
// flags every free of a frame it does not consider allocated, and can be told to fail.
class CountingFrames final : public FrameAllocator {
public:
    lib::Result<PhysAddr> allocate_frame() override {
        if (fail_after == 0)
            return lib::fail(Error::OutOfMemory);
        if (fail_after > 0)
            --fail_after;
        PhysAddr frame;
        if (!m_recycled.empty()) {
            frame = m_recycled.back();
            m_recycled.pop_back();
        } else {
            frame = PhysAddr(16 * MiB + m_next++ * lib::PAGE_SIZE);
        }
        m_outstanding.insert(frame.value());
        return frame;
    }
    lib::Result<void> free_frame(PhysAddr frame) override {
        if (m_outstanding.erase(frame.value()) == 0) {
            ++bad_frees;
            return lib::fail(Error::DoubleFree);
        }
        m_recycled.push_back(frame);
        return {};
    }
    size_t outstanding() const { return m_outstanding.size(); }
    bool is_outstanding(PhysAddr frame) const { return m_outstanding.contains(frame.value()); }

    long fail_after = -1; // allocations left before failing; negative = never
    int bad_frees = 0;

private:
    std::set<uint64_t> m_outstanding;
    std::vector<PhysAddr> m_recycled;
    uint64_t m_next = 0;
};

class RecordingTlb final : public TlbInvalidator {
public:
    void invalidate_page(PhysAddr root, VirtAddr virt) override { calls.push_back({root, virt}); }
    std::vector<std::pair<PhysAddr, VirtAddr>> calls;
};

class PageTableTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(m_memory.ok());
        auto table = PageTable::create(m_memory.window(), m_frames);
        ASSERT_TRUE(table);
        m_table.emplace(*table);
    }
    void TearDown() override { EXPECT_EQ(m_frames.bad_frees, 0); }

    // Reads the entry for `virt` at `level` by walking the tables by hand.
    uint64_t entry(VirtAddr virt, int level) {
        uint64_t* table = m_memory.window().ptr<uint64_t>(m_table->root());
        for (int l = 3; l > level; --l) {
            uint64_t e = table[PageTable::index(virt, l)];
            EXPECT_TRUE(e & pte::PRESENT) << "level " << l;
            table = m_memory.window().ptr<uint64_t>(PhysAddr(e & pte::ADDRESS));
        }
        return table[PageTable::index(virt, level)];
    }
    void set_accessed(VirtAddr virt, int level) {
        uint64_t* table = m_memory.window().ptr<uint64_t>(m_table->root());
        for (int l = 3; l > level; --l)
            table = m_memory.window().ptr<uint64_t>(
                PhysAddr(table[PageTable::index(virt, l)] & pte::ADDRESS));
        table[PageTable::index(virt, level)] |= pte::ACCESSED;
    }

    mm_test::SimulatedPhysicalMemory m_memory;
    CountingFrames m_frames;
    std::optional<PageTable> m_table;
};

TEST_F(PageTableTest, MapTranslateUnmap) {
    VirtAddr virt(0x400000);
    ASSERT_TRUE(m_table->map(virt, PhysAddr(0x1234000), PageFlags::Writable | PageFlags::User));
    auto t = m_table->translate(virt + 0x567);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->phys, PhysAddr(0x1234567));
    EXPECT_EQ(t->size, PageSize::Small);
    EXPECT_EQ(t->flags, PageFlags::Writable | PageFlags::User);
    EXPECT_EQ(m_frames.outstanding(), 4u) << "root + PDPT + PD + PT";

    auto gone = m_table->unmap(virt);
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->phys, PhysAddr(0x1234000));
    EXPECT_EQ(gone->size, PageSize::Small);
    auto missing = m_table->translate(virt);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), Error::NotFound);
    auto again = m_table->unmap(virt);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), Error::NotFound);
    EXPECT_EQ(m_frames.outstanding(), 4u) << "unmap keeps intermediate tables";
}

TEST_F(PageTableTest, LeafBitsMatchTheSdm) {
    struct Case {
        PageFlags flags;
        uint64_t bits;
    } cases[] = {
        {PageFlags::None, pte::PRESENT | pte::NO_EXECUTE},
        {PageFlags::Writable, pte::PRESENT | pte::WRITABLE | pte::NO_EXECUTE},
        {PageFlags::Executable, pte::PRESENT},
        {PageFlags::User | PageFlags::Executable, pte::PRESENT | pte::USER},
        {PageFlags::Uncached | PageFlags::Writable,
         pte::PRESENT | pte::WRITABLE | pte::CACHE_DISABLE | pte::WRITE_THROUGH | pte::NO_EXECUTE},
        {PageFlags::Global, pte::PRESENT | pte::GLOBAL | pte::NO_EXECUTE},
    };
    // The architectural bit positions themselves (SDM Vol. 3A, table 4-19).
    EXPECT_EQ(pte::PRESENT, 0x1u);
    EXPECT_EQ(pte::WRITABLE, 0x2u);
    EXPECT_EQ(pte::USER, 0x4u);
    EXPECT_EQ(pte::WRITE_THROUGH, 0x8u);
    EXPECT_EQ(pte::CACHE_DISABLE, 0x10u);
    EXPECT_EQ(pte::HUGE, 0x80u);
    EXPECT_EQ(pte::GLOBAL, 0x100u);
    EXPECT_EQ(pte::NO_EXECUTE, 0x8000000000000000u);
    uint64_t virt = 0x10000000;
    for (const Case& c : cases) {
        ASSERT_TRUE(m_table->map(VirtAddr(virt), PhysAddr(0xabcd000), c.flags));
        EXPECT_EQ(entry(VirtAddr(virt), 0), 0xabcd000 | c.bits) << uint32_t(c.flags);
        auto t = m_table->translate(VirtAddr(virt));
        ASSERT_TRUE(t);
        EXPECT_EQ(t->flags, c.flags);
        virt += lib::PAGE_SIZE;
    }
}

TEST_F(PageTableTest, IntermediateEntriesArePermissiveAndNeverNx) {
    VirtAddr user(0x7fff0000), kernel(0xffffffff80200000);
    ASSERT_TRUE(m_table->map(user, PhysAddr(0x5000), PageFlags::User));
    ASSERT_TRUE(m_table->map(kernel, PhysAddr(0x200000), PageFlags::None));
    for (int level = 3; level >= 1; --level) {
        EXPECT_EQ(entry(user, level) & ~pte::ADDRESS, pte::PRESENT | pte::WRITABLE | pte::USER);
        EXPECT_EQ(entry(kernel, level) & ~pte::ADDRESS, pte::PRESENT | pte::WRITABLE);
    }
}

TEST_F(PageTableTest, RejectsBadArguments) {
    struct Case {
        uint64_t virt, phys;
        PageFlags flags;
        PageSize size;
    } cases[] = {
        {0x0000800000000000, 0x1000, PageFlags::None, PageSize::Small},  // non-canonical
        {0xffff7fffffffe000, 0x1000, PageFlags::None, PageSize::Small},  // non-canonical
        {0x400001, 0x1000, PageFlags::None, PageSize::Small},            // misaligned virt
        {0x400000, 0x1001, PageFlags::None, PageSize::Small},            // misaligned phys
        {0x401000, 0x200000, PageFlags::None, PageSize::Large},          // 4K aligned, not 2M
        {0x400000, 0x201000, PageFlags::None, PageSize::Large},
        {0x400000, uint64_t(1) << 52, PageFlags::None, PageSize::Small}, // beyond MAXPHYADDR
        {0x400000, 0x1000, PageFlags::User | PageFlags::Global, PageSize::Small},
    };
    for (const Case& c : cases) {
        auto result = m_table->map(VirtAddr(c.virt), PhysAddr(c.phys), c.flags, c.size);
        ASSERT_FALSE(result) << std::hex << c.virt;
        EXPECT_EQ(result.error(), Error::InvalidArgument) << std::hex << c.virt;
    }
    EXPECT_EQ(m_frames.outstanding(), 1u) << "a rejected map allocates nothing";
    ASSERT_TRUE(m_table->map(VirtAddr(0x400000), PhysAddr(0x1000), PageFlags::None));
    auto twice = m_table->map(VirtAddr(0x400000), PhysAddr(0x2000), PageFlags::None);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error(), Error::Exists);
    auto non_canonical = m_table->translate(VirtAddr(0x0000800000000000));
    ASSERT_FALSE(non_canonical);
    EXPECT_EQ(non_canonical.error(), Error::InvalidArgument);
}

TEST_F(PageTableTest, LargePages) {
    VirtAddr virt(HHDM + 0x40000000);
    ASSERT_TRUE(m_table->map(virt, PhysAddr(0x40000000), PageFlags::Writable | PageFlags::Global,
                             PageSize::Large));
    EXPECT_EQ(entry(virt, 1), 0x40000000 | pte::PRESENT | pte::WRITABLE | pte::HUGE | pte::GLOBAL |
                                  pte::NO_EXECUTE);
    EXPECT_EQ(m_frames.outstanding(), 3u) << "root + PDPT + PD, no PT";
    auto t = m_table->translate(virt + 0x123456);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->phys, PhysAddr(0x40123456));
    EXPECT_EQ(t->size, PageSize::Large);

    auto inside = m_table->map(virt + 0x1000, PhysAddr(0x1000), PageFlags::None);
    ASSERT_FALSE(inside);
    EXPECT_EQ(inside.error(), Error::Exists);
    auto split = m_table->unmap(virt + 0x1000);
    ASSERT_FALSE(split);
    EXPECT_EQ(split.error(), Error::InvalidArgument);

    // A large page cannot replace a page table.
    VirtAddr small(HHDM + 0x80000000);
    ASSERT_TRUE(m_table->map(small + 0x3000, PhysAddr(0x3000), PageFlags::None));
    auto over = m_table->map(small, PhysAddr(0x80000000), PageFlags::None, PageSize::Large);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error(), Error::Exists);

    auto gone = m_table->unmap(virt);
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->phys, PhysAddr(0x40000000));
    EXPECT_EQ(gone->size, PageSize::Large);
}

TEST_F(PageTableTest, FlushNeededFollowsTheAccessedBit) {
    VirtAddr a(0x600000), b(0x601000);
    ASSERT_TRUE(m_table->map(a, PhysAddr(0x7000), PageFlags::Writable));
    ASSERT_TRUE(m_table->map(b, PhysAddr(0x8000), PageFlags::Writable));
    set_accessed(b, 0); // as the processor would when it caches the translation
    auto never_used = m_table->unmap(a);
    ASSERT_TRUE(never_used);
    EXPECT_FALSE(never_used->flush_needed);
    auto used = m_table->unmap(b);
    ASSERT_TRUE(used);
    EXPECT_TRUE(used->flush_needed);
}

TEST_F(PageTableTest, ProtectRewritesPermissionsOnly) {
    VirtAddr virt(0x700000);
    ASSERT_TRUE(m_table->map(virt, PhysAddr(0x9000), PageFlags::Writable | PageFlags::User));
    auto flush = m_table->protect(virt, PageFlags::User | PageFlags::Executable);
    ASSERT_TRUE(flush);
    EXPECT_FALSE(*flush);
    EXPECT_EQ(entry(virt, 0), 0x9000 | pte::PRESENT | pte::USER);
    set_accessed(virt, 0);
    flush = m_table->protect(virt, PageFlags::User);
    ASSERT_TRUE(flush);
    EXPECT_TRUE(*flush);
    EXPECT_EQ(entry(virt, 0), 0x9000 | pte::PRESENT | pte::USER | pte::NO_EXECUTE);
    auto missing = m_table->protect(VirtAddr(0x800000), PageFlags::None);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), Error::NotFound);
    auto global_user = m_table->protect(virt, PageFlags::User | PageFlags::Global);
    ASSERT_FALSE(global_user);
    EXPECT_EQ(global_user.error(), Error::InvalidArgument);

    VirtAddr large(0x40000000);
    ASSERT_TRUE(m_table->map(large, PhysAddr(0x200000), PageFlags::None, PageSize::Large));
    ASSERT_TRUE(m_table->protect(large, PageFlags::Writable));
    EXPECT_EQ(entry(large, 1),
              0x200000 | pte::PRESENT | pte::WRITABLE | pte::HUGE | pte::NO_EXECUTE);
}

TEST_F(PageTableTest, MapRangeUsesLargePagesWhereAligned) {
    // Physical 1 MiB .. 9 MiB + 12 KiB: small pages up to 2 MiB, large pages for [2, 8) MiB,
    // small pages again for the last 1 MiB + 12 KiB, which is too short for a large page.
    uint64_t bytes = 8 * MiB + 12 * 1024;
    ASSERT_TRUE(
        m_table->map_range(VirtAddr(HHDM + MiB), PhysAddr(MiB), bytes, PageFlags::Writable));
    for (uint64_t offset = 0; offset < bytes; offset += 0x3000) {
        uint64_t phys = MiB + offset;
        auto t = m_table->translate(VirtAddr(HHDM + phys));
        ASSERT_TRUE(t) << std::hex << phys;
        EXPECT_EQ(t->phys, PhysAddr(phys));
        bool large = phys >= 2 * MiB && phys < 8 * MiB;
        EXPECT_EQ(t->size, large ? PageSize::Large : PageSize::Small) << std::hex << phys;
    }
    EXPECT_FALSE(m_table->translate(VirtAddr(HHDM + MiB + bytes)));
    EXPECT_EQ(m_frames.outstanding(), 1u + 1u + 1u + 2u) << "root, PDPT, PD, two PTs";
    auto unaligned = m_table->map_range(VirtAddr(HHDM), PhysAddr(0), 100, PageFlags::None);
    ASSERT_FALSE(unaligned);
    EXPECT_EQ(unaligned.error(), Error::InvalidArgument);
}

TEST_F(PageTableTest, OutOfMemoryWhileMappingIsReported) {
    m_frames.fail_after = 1; // the PDPT, then nothing
    auto result = m_table->map(VirtAddr(0x400000), PhysAddr(0x1000), PageFlags::None);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Error::OutOfMemory);
    m_frames.fail_after = -1;
    ASSERT_TRUE(m_table->map(VirtAddr(0x400000), PhysAddr(0x1000), PageFlags::None))
        << "the half-built path is reused";
    EXPECT_EQ(m_frames.outstanding(), 4u);
    ASSERT_TRUE(m_table->free_tables(0, PageTable::ENTRIES));
    EXPECT_EQ(m_frames.outstanding(), 1u) << "only the root remains";
}

class AddressSpaceTest : public PageTableTest {
protected:
    void SetUp() override {
        PageTableTest::SetUp();
        // The kernel template: all upper-half PDPTs up front, and the kernel image mapped.
        ASSERT_TRUE(m_table->preallocate_kernel_half());
        ASSERT_TRUE(m_table->map_range(VirtAddr(0xffffffff80000000), PhysAddr(2 * MiB), 4 * MiB,
                                       PageFlags::Executable | PageFlags::Global));
        m_baseline = m_frames.outstanding();
    }
    lib::Result<AddressSpace> create() {
        return AddressSpace::create(m_memory.window(), m_frames, m_table->root(), m_tlb);
    }

    RecordingTlb m_tlb;
    size_t m_baseline = 0;
};

TEST_F(AddressSpaceTest, SharesTheKernelHalf) {
    EXPECT_EQ(m_baseline, 1u + 256u + 1u) << "root, 256 PDPTs, one PD for the kernel image";
    auto space = create();
    ASSERT_TRUE(space);
    EXPECT_EQ(m_frames.outstanding(), m_baseline + 1);
    auto kernel = space->translate(VirtAddr(0xffffffff80001234));
    ASSERT_TRUE(kernel);
    EXPECT_EQ(kernel->phys, PhysAddr(2 * MiB + 0x1234));
    // A kernel mapping made after the copy is visible too: the PDPTs are shared.
    ASSERT_TRUE(m_table->map(VirtAddr(HHDM), PhysAddr(0), PageFlags::Writable));
    EXPECT_TRUE(space->translate(VirtAddr(HHDM)));
    auto upper = space->map(VirtAddr(HHDM + 0x1000), PhysAddr(0x1000), PageFlags::None);
    ASSERT_FALSE(upper);
    EXPECT_EQ(upper.error(), Error::BadAddress);
    auto edge = space->map(VirtAddr(AddressSpace::USER_END - lib::PAGE_SIZE), PhysAddr(0x1000),
                           PageFlags::User);
    EXPECT_TRUE(edge);
    EXPECT_FALSE(m_table->translate(VirtAddr(AddressSpace::USER_END - lib::PAGE_SIZE)))
        << "user mappings must not leak into the template";
}

TEST_F(AddressSpaceTest, TeardownReturnsEveryTableFrame) {
    std::vector<PhysAddr> data;
    {
        auto space = create();
        ASSERT_TRUE(space);
        // Spread over several PML4 slots, PDPTs, PDs and PTs, with some large pages.
        for (uint64_t i = 0; i < 600; ++i) {
            auto frame = m_frames.allocate_frame();
            ASSERT_TRUE(frame);
            data.push_back(*frame);
            uint64_t virt = 0x400000 + i * lib::PAGE_SIZE * 7 + (i % 5) * (uint64_t(1) << 39) +
                            (i % 3) * (uint64_t(1) << 30);
            ASSERT_TRUE(space->map(VirtAddr(virt), *frame, PageFlags::User | PageFlags::Writable));
        }
        for (uint64_t i = 0; i < 4; ++i)
            ASSERT_TRUE(space->map(VirtAddr(0x200000000 + i * 2 * MiB), PhysAddr(i * 2 * MiB),
                                   PageFlags::User, PageSize::Large));
        EXPECT_GT(m_frames.outstanding(), m_baseline + data.size() + 10);
    }
    EXPECT_EQ(m_frames.outstanding(), m_baseline + data.size())
        << "every table frame, and only table frames, went back";
    for (PhysAddr frame : data)
        EXPECT_TRUE(m_frames.is_outstanding(frame)) << "mapped pages are not the space's to free";
    // The kernel half survived the teardown.
    EXPECT_TRUE(m_table->translate(VirtAddr(0xffffffff80000000)));
}

TEST_F(AddressSpaceTest, MovedFromSpacesFreeNothing) {
    auto space = create();
    ASSERT_TRUE(space);
    ASSERT_TRUE(space->map(VirtAddr(0x400000), PhysAddr(0x1000), PageFlags::User));
    AddressSpace moved = std::move(*space);
    auto stale = space->map(VirtAddr(0x500000), PhysAddr(0x1000), PageFlags::User);
    ASSERT_FALSE(stale);
    ASSERT_TRUE(moved.release());
    EXPECT_TRUE(moved.release()) << "a second release is a no-op";
    EXPECT_EQ(m_frames.outstanding(), m_baseline);
}

TEST_F(AddressSpaceTest, UnmapAndProtectInvalidateThroughTheHook) {
    auto space = create();
    ASSERT_TRUE(space);
    VirtAddr virt(0x400000);
    ASSERT_TRUE(space->map(virt, PhysAddr(0x1000), PageFlags::User | PageFlags::Writable));
    ASSERT_TRUE(space->protect(virt, PageFlags::User));
    EXPECT_TRUE(m_tlb.calls.empty()) << "never accessed, so never cached";
    // Mark the leaf accessed by hand, as the MMU would.
    uint64_t* table = m_memory.window().ptr<uint64_t>(space->root());
    for (int level = 3; level > 0; --level)
        table = m_memory.window().ptr<uint64_t>(
            PhysAddr(table[PageTable::index(virt, level)] & pte::ADDRESS));
    table[PageTable::index(virt, 0)] |= pte::ACCESSED;
    ASSERT_TRUE(space->unmap(virt));
    ASSERT_EQ(m_tlb.calls.size(), 1u);
    EXPECT_EQ(m_tlb.calls[0].first, space->root());
    EXPECT_EQ(m_tlb.calls[0].second, virt);
}

TEST_F(AddressSpaceTest, OutOfMemoryDuringCreateAndMapLeaksNothing) {
    m_frames.fail_after = 0;
    auto none = create();
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error(), Error::OutOfMemory);
    m_frames.fail_after = 2; // root + PDPT, then the PD fails
    {
        auto space = create();
        ASSERT_TRUE(space);
        auto result = space->map(VirtAddr(0x400000), PhysAddr(0x1000), PageFlags::User);
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error(), Error::OutOfMemory);
    }
    m_frames.fail_after = -1;
    EXPECT_EQ(m_frames.outstanding(), m_baseline);
}

TEST(AddressSpaceOnPmm, TablesComeFromAndReturnToThePmm) {
    mm_test::SimulatedPhysicalMemory memory;
    ASSERT_TRUE(memory.ok());
    PhysicalAllocator pmm;
    kernel::MemoryRegion map[] = {{PhysAddr(MiB), 63 * MiB, kernel::MemoryType::Usable}};
    ASSERT_TRUE(pmm.init(map, {}, memory.window()));
    auto kernel_table = PageTable::create(memory.window(), pmm);
    ASSERT_TRUE(kernel_table);
    ASSERT_TRUE(kernel_table->preallocate_kernel_half());
    uint64_t before = pmm.stats().free_frames;
    RecordingTlb tlb;
    {
        auto space = AddressSpace::create(memory.window(), pmm, kernel_table->root(), tlb);
        ASSERT_TRUE(space);
        for (uint64_t i = 0; i < 100; ++i)
            ASSERT_TRUE(space->map(VirtAddr(i << 30), PhysAddr(0x1000), PageFlags::User));
        EXPECT_LT(pmm.stats().free_frames, before - 200);
        ASSERT_TRUE(space->release());
    }
    EXPECT_EQ(pmm.stats().free_frames, before);
}

} // namespace
