// Lock ranks (kernel/sync/lock_rank.h): the order the kernel documents is accepted, a lock taken
// against it aborts with both locks named, and deliberate same-rank nesting must go by address.
#include <gtest/gtest.h>

#include <thread>

#include "kernel/sync/spinlock.h"

using kernel::Guard;
using kernel::IrqSpinlock;
using kernel::LockRank;
using kernel::Spinlock;

static_assert(kernel::lock_rank::CHECKED, "this test is built with MNOS_LOCK_RANKS=1");

TEST(LockRank, DocumentedOrderIsAccepted) {
    IrqSpinlock endpoint(LockRank::Endpoint);
    IrqSpinlock cnode(LockRank::CNode);
    IrqSpinlock heap(LockRank::Heap);
    IrqSpinlock pmm(LockRank::Pmm);
    IrqSpinlock log(LockRank::Log);
    Guard a(endpoint);
    Guard b(cnode);
    Guard c(heap);
    Guard d(pmm);
    Guard e(log);
    SUCCEED();
}

TEST(LockRank, ReleasedLocksNoLongerCount) {
    IrqSpinlock heap(LockRank::Heap);
    IrqSpinlock run_queue(LockRank::RunQueue);
    { Guard a(heap); }
    Guard b(run_queue); // heap is no longer held, so the lower rank is fine now
    SUCCEED();
}

// Takes `first`, then `second` (nested or not), as a death test's statement.
void take_in_order(IrqSpinlock& first, IrqSpinlock& second, bool nested = false) {
    Guard a(first);
    if (nested) {
        Guard b(second, kernel::NESTED);
    } else {
        Guard b(second);
    }
}

TEST(LockRankDeathTest, WrongOrderAbortsNamingBothLocks) {
    IrqSpinlock heap(LockRank::Heap);
    IrqSpinlock run_queue(LockRank::RunQueue);
    EXPECT_DEATH(take_in_order(heap, run_queue),
                 "lock order violation: taking run queue lock 0x[0-9a-f]+ while holding heap "
                 "lock 0x[0-9a-f]+");
}

TEST(LockRankDeathTest, SameRankWithoutNestingAborts) {
    IrqSpinlock first(LockRank::CNode);
    IrqSpinlock second(LockRank::CNode);
    EXPECT_DEATH(take_in_order(first, second), "taking cnode lock .* while holding cnode lock");
}

TEST(LockRank, SameRankNestedInAddressOrderIsAccepted) {
    IrqSpinlock pair[2] = {IrqSpinlock(LockRank::RunQueue), IrqSpinlock(LockRank::RunQueue)};
    take_in_order(pair[0], pair[1], /*nested=*/true); // ascending: the order among run queues
    SUCCEED();
}

TEST(LockRankDeathTest, SameRankNestedAgainstAddressOrderAborts) {
    IrqSpinlock pair[2] = {IrqSpinlock(LockRank::RunQueue), IrqSpinlock(LockRank::RunQueue)};
    EXPECT_DEATH(take_in_order(pair[1], pair[0], /*nested=*/true),
                 "taking run queue lock .* while holding run queue lock .*not in ascending "
                 "address order");
}

TEST(LockRank, UnrankedLocksAreNotChecked) {
    IrqSpinlock heap(LockRank::Heap);
    IrqSpinlock unranked;
    Guard a(heap);
    Guard b(unranked);
    SUCCEED();
}

// A try_lock never waits, so it is not checked itself, but what is taken under it is.
void lock_under_try_lock(Spinlock& tried, Spinlock& inner) {
    if (tried.try_lock()) {
        inner.lock();
        inner.unlock();
        tried.unlock();
    }
}

TEST(LockRankDeathTest, LockTakenUnderATryLockIsChecked) {
    Spinlock tlb(LockRank::TlbRequest);
    Spinlock user_mappings(LockRank::UserMappings);
    EXPECT_DEATH(lock_under_try_lock(tlb, user_mappings),
                 "taking user mappings lock .* while holding tlb request lock");
}

// Each host thread has its own record: another thread's locks do not constrain this one.
TEST(LockRank, RecordIsPerThread) {
    IrqSpinlock heap(LockRank::Heap);
    IrqSpinlock run_queue(LockRank::RunQueue);
    Guard a(heap);
    std::thread other([&] { Guard b(run_queue); });
    other.join();
    SUCCEED();
}
