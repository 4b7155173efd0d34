// lock-order: the kernel's lock-rank checker (kernel/sync/lock_rank.h) is on and catches a wrong
// order. Two locks taken in their ranks' order pass; then the suite takes them the other way
// round, which must panic naming both (boot/lock-order-panic expects exactly that panic).
#include "kernel/sync/spinlock.h"
#include "kernel/test/suites.h"

namespace kernel::test {

namespace {

// Suite-local locks with real ranks: the checker knows only ranks, not which lock is which.
IrqSpinlock g_outer{LockRank::RunQueue};
IrqSpinlock g_inner{LockRank::Heap};

} // namespace

void lock_order_suite(Context& ctx) {
    EXPECT(ctx, lock_rank::checking());
    if (!lock_rank::checking())
        return; // a Release kernel: nothing would catch the wrong order below
    {
        Guard outer(g_outer);
        Guard inner(g_inner);
        kprintln("selftest lock-order: run queue then heap: accepted");
    }
    kprintln("selftest lock-order: now heap then run queue, which must panic");
    Guard inner(g_inner);
    Guard outer(g_outer);
    kprintln(LogColour::Error, "selftest lock-order: the wrong order was not caught");
    EXPECT(ctx, false);
}

} // namespace kernel::test
