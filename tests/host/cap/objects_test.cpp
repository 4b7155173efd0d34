// The kernel objects the capability table holds: validation on creation, what they describe,
// what they give back when the last reference goes, and the IrqLine state machine.
#include <gtest/gtest.h>

#include <vector>

#include "kernel/object/io_port.h"
#include "kernel/object/irq_line.h"
#include "kernel/object/memory_frame.h"
#include "kernel/object/memory_budget.h"

namespace {

using kernel::object::IrqLine;
using kernel::object::IrqState;
using kernel::object::IrqWaiter;
using kernel::object::IrqWaitStatus;
using lib::PhysAddr;
using mnos::Error;

TEST(IoPort, CreationValidatesTheRange) {
    EXPECT_EQ(kernel::object::IoPort::create(0x3f8, 0).error(), Error::InvalidArgument);
    EXPECT_EQ(kernel::object::IoPort::create(0xfff0, 0x11).error(), Error::InvalidArgument);
    auto last = kernel::object::IoPort::create(0xfff0, 0x10);
    ASSERT_TRUE(last);
    EXPECT_EQ((*last)->type(), mnos::CapType::IoPort);
}

TEST(IoPort, ContainsChecksTheWholeAccess) {
    auto ports = *kernel::object::IoPort::create(0x3f8, 8);
    EXPECT_TRUE(ports->contains(0x3f8, 1));
    EXPECT_TRUE(ports->contains(0x3ff, 1));
    EXPECT_TRUE(ports->contains(0x3fc, 4));
    EXPECT_FALSE(ports->contains(0x3fd, 4)); // runs one past the end
    EXPECT_FALSE(ports->contains(0x3f7, 1));
    EXPECT_FALSE(ports->contains(0x400, 1));
}

// Records frames handed out and returned.
class RecordingAllocator final : public kernel::mm::FrameAllocator {
public:
    lib::Result<PhysAddr> allocate_frame() override {
        if (fail_next)
            return lib::fail(Error::OutOfMemory);
        next += lib::PAGE_SIZE;
        return next;
    }
    lib::Result<void> free_frame(PhysAddr frame) override {
        freed.push_back(frame);
        return {};
    }
    bool fail_next = false;
    PhysAddr next{0x100000};
    std::vector<PhysAddr> freed;
};

TEST(MemoryFrame, CreationValidatesBaseAndCount) {
    EXPECT_EQ(kernel::object::MemoryFrame::create(PhysAddr(0x1001), 1).error(),
              Error::InvalidArgument);
    EXPECT_EQ(kernel::object::MemoryFrame::create(PhysAddr(0x1000), 0).error(),
              Error::InvalidArgument);
    EXPECT_EQ(kernel::object::MemoryFrame::create(PhysAddr(0xffff'ffff'ffff'f000), 2).error(),
              Error::Overflow);
    auto frame = *kernel::object::MemoryFrame::create(PhysAddr(0x200000), 4);
    EXPECT_EQ(frame->base(), PhysAddr(0x200000));
    EXPECT_EQ(frame->page_count(), 4u);
    EXPECT_EQ(frame->size_bytes(), 4 * lib::PAGE_SIZE);
}

TEST(MemoryFrame, TheLastReferenceReturnsOwnedFrames) {
    RecordingAllocator allocator;
    auto frame = *kernel::object::MemoryFrame::create(PhysAddr(0x400000), 3, &allocator);
    auto copy = frame;
    frame.reset();
    EXPECT_TRUE(allocator.freed.empty());
    copy.reset();
    EXPECT_EQ(allocator.freed, (std::vector<PhysAddr>{PhysAddr(0x400000), PhysAddr(0x401000),
                                                      PhysAddr(0x402000)}));
    // Unowned memory (a device's) is never "returned".
    auto device = *kernel::object::MemoryFrame::create(PhysAddr(0xfee00000), 1);
    device.reset();
    EXPECT_EQ(allocator.freed.size(), 3u);
}

TEST(MemoryBudget, AllocatesFramesThatGoBackWhenReleased) {
    RecordingAllocator allocator;
    auto pmm = *kernel::object::MemoryBudget::create(allocator);
    EXPECT_EQ(pmm->type(), mnos::CapType::MemoryBudget);
    auto frame = pmm->allocate_memory_frame();
    ASSERT_TRUE(frame);
    EXPECT_EQ((*frame)->base(), PhysAddr(0x101000));
    EXPECT_EQ((*frame)->page_count(), 1u);
    EXPECT_EQ(pmm->used(), 1u);
    frame->reset();
    EXPECT_EQ(allocator.freed, std::vector<PhysAddr>{PhysAddr(0x101000)});
    EXPECT_EQ(pmm->used(), 0u);
    allocator.fail_next = true;
    EXPECT_EQ(pmm->allocate_memory_frame().error(), Error::OutOfMemory);
    EXPECT_EQ(pmm->used(), 0u); // a failed allocation is not charged
}

// The accounting: charge within the limit, refund, exhaustion, and splits that reserve their
// pages from the parent until they go (each holding the parent alive meanwhile).
TEST(MemoryBudget, ChargesRefundsSplitsAndRunsOut) {
    RecordingAllocator allocator;
    auto root = *kernel::object::MemoryBudget::create(allocator, 10);
    EXPECT_TRUE(root->charge(4));
    EXPECT_EQ(root->used(), 4u);
    EXPECT_EQ(root->charge(7).error(), Error::OutOfMemory);
    EXPECT_EQ(root->used(), 4u); // a refused charge takes nothing
    auto child = root->split(5);
    ASSERT_TRUE(child);
    EXPECT_EQ(root->used(), 9u);
    EXPECT_EQ((*child)->limit(), 5u);
    EXPECT_EQ(root->split(2).error(), Error::OutOfMemory);
    // The child's own frames count against the child only.
    std::vector<lib::RefPtr<kernel::object::MemoryFrame>> frames;
    for (int i = 0; i < 5; ++i)
        frames.push_back(*(*child)->allocate_memory_frame());
    EXPECT_EQ((*child)->used(), 5u);
    EXPECT_EQ((*child)->allocate_memory_frame().error(), Error::OutOfMemory);
    EXPECT_EQ(root->used(), 9u);
    {
        // A charge object refunds when it goes.
        auto charge = kernel::object::BudgetCharge::take(*root, 1);
        ASSERT_TRUE(charge);
        EXPECT_EQ(root->used(), 10u);
    }
    EXPECT_EQ(root->used(), 9u);
    // The child budget goes once its last reference does, and the frames hold it.
    child->reset();
    EXPECT_EQ(root->used(), 9u);
    frames.clear();
    EXPECT_EQ(root->used(), 4u);
    root->refund(4);
    EXPECT_EQ(root->used(), 0u);
}

// Records masking and blocking; block_current() returns at once, like the IPC fake.
class FakeIrqHooks final : public kernel::object::IrqHooks {
public:
    void mask(uint32_t gsi) override {
        masked = true;
        last_gsi = gsi;
    }
    void unmask(uint32_t gsi) override {
        masked = false;
        last_gsi = gsi;
    }
    void block_current(IrqWaiter& waiter) override { ++blocks; }
    void wake(IrqWaiter& waiter) override { woken.push_back(&waiter); }

    bool masked = true;
    uint32_t last_gsi = 0;
    int blocks = 0;
    std::vector<IrqWaiter*> woken;
};

TEST(IrqLine, WaitUnmasksAndFireMasksAndWakes) {
    FakeIrqHooks hooks;
    auto line = *IrqLine::create(11, hooks);
    EXPECT_EQ(line->state(), IrqState::Idle);
    IrqWaiter waiter;
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Blocked);
    EXPECT_EQ(line->state(), IrqState::Waiting);
    EXPECT_FALSE(hooks.masked);
    EXPECT_EQ(hooks.last_gsi, 11u);
    EXPECT_EQ(hooks.blocks, 1);

    line->fire();
    EXPECT_TRUE(hooks.masked); // stays masked while the driver handles the device
    EXPECT_TRUE(waiter.fired);
    EXPECT_EQ(hooks.woken, std::vector<IrqWaiter*>{&waiter});
    EXPECT_EQ(line->state(), IrqState::Handling);

    // Waiting again is the acknowledgement: unmask and block.
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Blocked);
    EXPECT_FALSE(hooks.masked);
    EXPECT_EQ(line->state(), IrqState::Waiting);
    line->relinquish(waiter);
}

TEST(IrqLine, AnEdgeTriggeredLineIsNeverMasked) {
    FakeIrqHooks hooks;
    auto line = *IrqLine::create(4, hooks, kernel::object::IrqTrigger::Edge);
    IrqWaiter waiter;
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Blocked);
    line->fire();
    EXPECT_TRUE(waiter.fired);
    EXPECT_FALSE(hooks.masked); // a masked pin would drop the device's next edge
    EXPECT_EQ(line->state(), IrqState::Handling);
    // An edge while the driver handles the last one is latched for its next wait.
    line->fire();
    EXPECT_TRUE(line->pending());
    EXPECT_FALSE(hooks.masked);
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Fired);
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Blocked);
    line->relinquish(waiter);
    EXPECT_FALSE(hooks.masked); // nobody holds it, and it is still not masked:
    line->fire();               // an interrupt before the next driver's first wait is latched
    EXPECT_FALSE(hooks.masked);
    EXPECT_TRUE(line->pending());
    IrqWaiter next;
    EXPECT_EQ(*line->wait(next), IrqWaitStatus::Fired);
    line->relinquish(next);
}

TEST(IrqLine, AnInterruptWithNobodyWaitingIsLatched) {
    FakeIrqHooks hooks;
    auto line = *IrqLine::create(4, hooks);
    line->fire();
    EXPECT_TRUE(line->pending());
    EXPECT_TRUE(hooks.masked);
    IrqWaiter waiter;
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Fired); // at once, without blocking
    EXPECT_EQ(hooks.blocks, 0);
    EXPECT_FALSE(line->pending());
    EXPECT_TRUE(hooks.masked); // not unmasked until the holder waits again
    EXPECT_EQ(line->state(), IrqState::Handling);
    // Two fires while handling are one pending interrupt (a level line masked after the first).
    line->fire();
    line->fire();
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Fired);
    EXPECT_EQ(*line->wait(waiter), IrqWaitStatus::Blocked);
    line->relinquish(waiter);
}

TEST(IrqLine, OneHolderPerLine) {
    FakeIrqHooks hooks;
    auto line = *IrqLine::create(1, hooks);
    IrqWaiter first, second;
    ASSERT_EQ(*line->wait(first), IrqWaitStatus::Blocked);
    EXPECT_EQ(line->wait(second).error(), Error::Busy);
    // While the holder handles an interrupt, nobody else can acknowledge it (unmask the line).
    line->fire();
    EXPECT_EQ(line->state(), IrqState::Handling);
    EXPECT_EQ(line->wait(second).error(), Error::Busy);
    EXPECT_TRUE(hooks.masked);
    line->relinquish(second); // not the holder: no effect
    EXPECT_EQ(line->state(), IrqState::Handling);
    line->relinquish(first);
    EXPECT_EQ(line->state(), IrqState::Idle);
    EXPECT_EQ(first.held, nullptr);
    EXPECT_TRUE(hooks.masked);
    EXPECT_EQ(*line->wait(second), IrqWaitStatus::Blocked);
    EXPECT_EQ(second.held, line.get());
    line->fire();
    EXPECT_EQ(hooks.woken, (std::vector<IrqWaiter*>{&first, &second}));
    line->relinquish(second);
}

TEST(IrqLine, AWaiterHoldsOneLineAtATime) {
    FakeIrqHooks hooks;
    auto a = *IrqLine::create(3, hooks), b = *IrqLine::create(5, hooks);
    IrqWaiter waiter;
    ASSERT_EQ(*a->wait(waiter), IrqWaitStatus::Blocked);
    a->fire();
    EXPECT_EQ(b->wait(waiter).error(), Error::Busy);
    EXPECT_EQ(b->state(), IrqState::Idle);
    a->relinquish(waiter);
    EXPECT_EQ(*b->wait(waiter), IrqWaitStatus::Blocked);
    b->relinquish(waiter);
}

TEST(IrqLine, DestructionLeavesTheLineMasked) {
    FakeIrqHooks hooks;
    {
        auto line = *IrqLine::create(9, hooks);
        IrqWaiter waiter;
        ASSERT_TRUE(line->wait(waiter));
        line->relinquish(waiter);
        hooks.masked = false;
    }
    EXPECT_TRUE(hooks.masked);
}

} // namespace
