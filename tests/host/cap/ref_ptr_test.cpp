// lib::RefCounted and lib::RefPtr: counting, adoption, moves, upcasts and the destroy hook.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "lib/ref_counted.h"
#include "lib/ref_ptr.h"

namespace {

int g_destroyed = 0;

class Counted : public lib::RefCounted {
public:
    explicit Counted(int value) : m_value(value) {}
    int value() const { return m_value; }

protected:
    void destroy() override {
        ++g_destroyed;
        delete this;
    }

private:
    int m_value;
};

class DerivedCounted final : public Counted {
public:
    DerivedCounted() : Counted(7) {}
};

class RefPtrTest : public ::testing::Test {
protected:
    void SetUp() override { g_destroyed = 0; }
};

TEST_F(RefPtrTest, AdoptTakesTheInitialReference) {
    {
        auto ref = lib::adopt_ref(new Counted(1));
        EXPECT_EQ(ref->ref_count(), 1u);
        EXPECT_EQ(ref->value(), 1);
    }
    EXPECT_EQ(g_destroyed, 1);
}

TEST_F(RefPtrTest, CopiesCountAndTheLastReleaseDestroysOnce) {
    auto a = lib::adopt_ref(new Counted(2));
    {
        lib::RefPtr<Counted> b = a;
        lib::RefPtr<Counted> c(a.get()); // from a raw pointer: a new reference
        EXPECT_EQ(a->ref_count(), 3u);
    }
    EXPECT_EQ(a->ref_count(), 1u);
    EXPECT_EQ(g_destroyed, 0);
    a.reset();
    EXPECT_FALSE(a);
    EXPECT_EQ(g_destroyed, 1);
    a.reset(); // resetting an empty pointer is harmless
    EXPECT_EQ(g_destroyed, 1);
}

TEST_F(RefPtrTest, MoveTransfersWithoutCounting) {
    auto a = lib::adopt_ref(new Counted(3));
    lib::RefPtr<Counted> b = std::move(a);
    EXPECT_FALSE(a);
    EXPECT_EQ(b->ref_count(), 1u);
    lib::RefPtr<Counted> c;
    c = std::move(b);
    EXPECT_EQ(c->ref_count(), 1u);
    EXPECT_EQ(g_destroyed, 0);
}

TEST_F(RefPtrTest, AssignmentReleasesTheOldObject) {
    auto a = lib::adopt_ref(new Counted(4));
    auto b = lib::adopt_ref(new Counted(5));
    a = b;
    EXPECT_EQ(g_destroyed, 1);
    EXPECT_EQ(a->value(), 5);
    EXPECT_EQ(b->ref_count(), 2u);
    auto& alias = a;
    a = alias; // self-assignment keeps the object
    EXPECT_EQ(b->ref_count(), 2u);
}

TEST_F(RefPtrTest, UpcastAndCheckedDowncast) {
    lib::RefPtr<DerivedCounted> derived = lib::adopt_ref(new DerivedCounted);
    lib::RefPtr<Counted> base = derived;
    EXPECT_EQ(base->ref_count(), 2u);
    auto back = lib::static_ref_cast<DerivedCounted>(std::move(base));
    EXPECT_FALSE(base);
    EXPECT_EQ(back->ref_count(), 2u);
    EXPECT_EQ(back->value(), 7);
}

TEST_F(RefPtrTest, LeakRefKeepsTheObjectAlive) {
    auto a = lib::adopt_ref(new Counted(6));
    Counted* raw = a.leak_ref();
    EXPECT_EQ(g_destroyed, 0);
    EXPECT_EQ(raw->ref_count(), 1u);
    raw->release();
    EXPECT_EQ(g_destroyed, 1);
}

TEST_F(RefPtrTest, ReleaseUnlessLastRefusesTheLastReference) {
    auto a = lib::adopt_ref(new Counted(8));
    a->add_ref();
    EXPECT_TRUE(a->release_unless_last());
    EXPECT_EQ(a->ref_count(), 1u);
    EXPECT_FALSE(a->release_unless_last());
    EXPECT_EQ(a->ref_count(), 1u);
    EXPECT_EQ(g_destroyed, 0);
}

TEST_F(RefPtrTest, ConcurrentCopiesDestroyExactlyOnce) {
    auto shared = lib::adopt_ref(new Counted(9));
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([copy = shared]() mutable {
            for (int i = 0; i < 10000; ++i) {
                lib::RefPtr<Counted> local = copy;
                local.reset();
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(shared->ref_count(), 1u);
    shared.reset();
    EXPECT_EQ(g_destroyed, 1);
}

} // namespace
