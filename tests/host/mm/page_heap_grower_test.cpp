// The kernel heap's grower: frames mapped at the heap's end, and all-or-nothing on failure.
#include "kernel/mm/page_heap_grower.h"

#include <gtest/gtest.h>

#include "kernel/mm/layout.h"
#include "kernel/mm/physical_allocator.h"
#include "tests/host/mm/sim_memory.h"

namespace {

using namespace kernel::mm;
using lib::PhysAddr;
using lib::VirtAddr;

constexpr uint64_t MiB = 1024 * 1024;

class NoTlb final : public TlbInvalidator {
public:
    void invalidate_page(PhysAddr, VirtAddr) override { ++calls; }
    int calls = 0;
};

class PageHeapGrowerTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(m_memory.ok());
        kernel::MemoryRegion map[] = {{PhysAddr(MiB), 3 * MiB, kernel::MemoryType::Usable}};
        ASSERT_TRUE(m_pmm.init(map, {}, m_memory.window()));
        auto table = PageTable::create(m_memory.window(), m_pmm);
        ASSERT_TRUE(table);
        m_table.emplace(*table);
    }

    mm_test::SimulatedPhysicalMemory m_memory;
    PhysicalAllocator m_pmm;
    std::optional<PageTable> m_table;
    NoTlb m_tlb;
};

TEST_F(PageHeapGrowerTest, MapsFreshFramesWritableGlobalNoExecute) {
    PageHeapGrower grower(*m_table, m_pmm, m_tlb);
    VirtAddr base(layout::HEAP_BASE);
    ASSERT_TRUE(grower.grow(base, 16 * lib::PAGE_SIZE));
    for (uint64_t i = 0; i < 16; ++i) {
        auto t = m_table->translate(base + i * lib::PAGE_SIZE);
        ASSERT_TRUE(t);
        EXPECT_EQ(t->flags, PageFlags::Writable | PageFlags::Global);
        EXPECT_TRUE(m_pmm.is_allocated(t->phys));
    }
    EXPECT_FALSE(m_table->translate(base + 16 * lib::PAGE_SIZE));
    auto misaligned = grower.grow(base + 1, lib::PAGE_SIZE);
    ASSERT_FALSE(misaligned);
    EXPECT_EQ(misaligned.error(), lib::Error::InvalidArgument);
}

TEST_F(PageHeapGrowerTest, FailureRollsBackEverything) {
    PageHeapGrower grower(*m_table, m_pmm, m_tlb);
    VirtAddr base(layout::HEAP_BASE);
    ASSERT_TRUE(grower.grow(base, lib::PAGE_SIZE)); // builds the table path first
    // Leave five frames, then ask for ten pages inside the page table that already exists (so
    // no intermediate table, which would stay by design, muddies the count).
    while (m_pmm.stats().free_frames > 5)
        ASSERT_TRUE(m_pmm.alloc());
    auto result = grower.grow(base + lib::PAGE_SIZE, 10 * lib::PAGE_SIZE);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), lib::Error::OutOfMemory);
    EXPECT_EQ(m_pmm.stats().free_frames, 5u);
    for (uint64_t i = 1; i <= 10; ++i)
        EXPECT_FALSE(m_table->translate(base + i * lib::PAGE_SIZE));
    EXPECT_FALSE(m_table->translate(base + lib::PAGE_SIZE));
    EXPECT_TRUE(m_table->translate(base)) << "earlier growth stays";
}

TEST(Layout, RegionsAndStackSlots) {
    auto first = layout::stack_slot(0);
    EXPECT_EQ(first.guard_base.value(), layout::STACKS_BASE);
    EXPECT_EQ(first.top - first.bottom, layout::STACK_SIZE);
    EXPECT_GE(first.bottom - first.guard_base, lib::PAGE_SIZE);
    auto second = layout::stack_slot(1);
    EXPECT_EQ(second.guard_base, first.top) << "a stack's guard sits right above the stack below";
    for (uint64_t base : {layout::HHDM_BASE, layout::HEAP_BASE, layout::STACKS_BASE,
                          layout::MMIO_BASE, layout::KERNEL_IMAGE_BASE})
        EXPECT_TRUE(PageTable::is_canonical(VirtAddr(base))) << std::hex << base;
    EXPECT_EQ(PageTable::index(VirtAddr(layout::HHDM_BASE), 3), 256u);
    EXPECT_EQ(PageTable::index(VirtAddr(layout::HEAP_BASE), 3), 384u);
    EXPECT_EQ(PageTable::index(VirtAddr(layout::KERNEL_IMAGE_BASE), 3), 511u);
}

} // namespace
