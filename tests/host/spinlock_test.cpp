#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "kernel/sync/spinlock.h"

TEST(Spinlock, GuardReleasesOnScopeExit) {
    kernel::Spinlock lock;
    {
        kernel::Guard guard(lock);
        EXPECT_TRUE(lock.is_locked());
    }
    EXPECT_FALSE(lock.is_locked());
}

TEST(Spinlock, CounterIsExactUnderContention) {
    kernel::IrqSpinlock lock;
    uint64_t counter = 0;
    constexpr int THREADS = 2, ITERATIONS = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < THREADS; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < ITERATIONS; ++i) {
                kernel::Guard guard(lock);
                ++counter;
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(counter, uint64_t(THREADS) * ITERATIONS);
}
