// Delegation (GRANT, narrowing only, no partial state) and revocation through the derivation
// tree across CNodes.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "kernel/cap/derivation.h"
#include "test_object.h"

namespace {

using cap_test::g_destroyed;
using cap_test::make_object;
using kernel::cap::CNode;
using mnos::CapSlot;
using mnos::CapType;
using mnos::Error;
using mnos::Rights;

constexpr Rights RW = Rights::Read | Rights::Write;
constexpr Rights RWG = RW | Rights::Grant;

class DerivationTest : public ::testing::Test {
protected:
    void SetUp() override { g_destroyed = 0; }

    bool present(CNode& cnode, CapSlot slot) { return cnode.inspect(slot).has_value(); }

    CNode a, b, c;
};

TEST_F(DerivationTest, DelegateCopiesWithNarrowedRights) {
    auto object = make_object();
    auto source = *kernel::cap::insert(a, object, Rights::All);
    auto copy = kernel::cap::delegate(a, source, b, std::nullopt, Rights::Read);
    ASSERT_TRUE(copy);
    EXPECT_EQ(*copy, CapSlot(0));
    EXPECT_EQ(b.inspect(*copy)->rights, Rights::Read);
    EXPECT_EQ(b.inspect(*copy)->type, CapType::IpcEndpoint);
    auto found = kernel::cap::lookup(b, *copy, CapType::IpcEndpoint, Rights::Read);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->get(), object.get());
    EXPECT_EQ(kernel::cap::lookup(b, *copy, CapType::IpcEndpoint, Rights::Write).error(),
              Error::MissingRights);
    EXPECT_EQ(a.inspect(source)->rights, Rights::All); // the source is unchanged
}

TEST_F(DerivationTest, DelegateIntoANamedSlotAndWithinOneCNode) {
    auto source = *kernel::cap::insert(a, make_object(), RWG);
    EXPECT_EQ(*kernel::cap::delegate(a, source, b, CapSlot(9), RW), CapSlot(9));
    EXPECT_EQ(*kernel::cap::delegate(a, source, a, std::nullopt, Rights::Read), CapSlot(1));
}

TEST_F(DerivationTest, DelegateRefusesWidening) {
    auto source = *kernel::cap::insert(a, make_object(), Rights::Read | Rights::Grant);
    EXPECT_EQ(kernel::cap::delegate(a, source, b, std::nullopt, RW).error(), Error::MissingRights);
    EXPECT_EQ(kernel::cap::delegate(a, source, b, std::nullopt, Rights::All).error(),
              Error::MissingRights);
    EXPECT_EQ(b.used_slots(), 0u);
    // Equal rights are not a widening.
    EXPECT_TRUE(kernel::cap::delegate(a, source, b, std::nullopt, Rights::Read | Rights::Grant));
}

TEST_F(DerivationTest, DelegateNeedsGrant) {
    auto source = *kernel::cap::insert(a, make_object(), RW | Rights::Revoke);
    EXPECT_EQ(kernel::cap::delegate(a, source, b, std::nullopt, Rights::Read).error(),
              Error::MissingRights);
    EXPECT_EQ(b.used_slots(), 0u);
    // A copy without GRANT cannot be passed on.
    auto granting = *kernel::cap::insert(a, make_object(), RWG);
    auto copy = *kernel::cap::delegate(a, granting, b, std::nullopt, RW);
    EXPECT_EQ(kernel::cap::delegate(b, copy, c, std::nullopt, Rights::Read).error(),
              Error::MissingRights);
}

TEST_F(DerivationTest, DelegateErrorsLeaveEverythingAsItWas) {
    auto object = make_object();
    auto source = *kernel::cap::insert(a, object, RWG | Rights::Revoke);
    EXPECT_EQ(kernel::cap::delegate(a, CapSlot(64), b, std::nullopt, RW).error(), Error::NoSlot);
    EXPECT_EQ(kernel::cap::delegate(a, CapSlot(5), b, std::nullopt, RW).error(), Error::EmptySlot);
    EXPECT_EQ(kernel::cap::delegate(a, source, b, CapSlot(64), RW).error(), Error::NoSlot);
    EXPECT_EQ(kernel::cap::delegate(a, source, b, std::nullopt, Rights(1u << 20)).error(),
              Error::InvalidArgument);
    ASSERT_TRUE(kernel::cap::insert(b, make_object(), RW, CapSlot(2)));
    EXPECT_EQ(kernel::cap::delegate(a, source, b, CapSlot(2), RW).error(), Error::SlotInUse);
    EXPECT_EQ(b.inspect(CapSlot(2))->rights, RW);

    // Into a full CNode: refused, and no reference or derivation link left behind.
    for (uint32_t i = 0; i < mnos::CNODE_SLOTS; ++i)
        ASSERT_TRUE(kernel::cap::insert(c, make_object(), RW));
    EXPECT_EQ(kernel::cap::delegate(a, source, c, std::nullopt, RW).error(), Error::NoSlot);
    EXPECT_EQ(object->ref_count(), 2u); // ours and the source slot's
    // A leftover child link would make this revoke touch (and clear) something in c.
    ASSERT_TRUE(kernel::cap::revoke(a, source));
    EXPECT_EQ(c.used_slots(), mnos::CNODE_SLOTS);
    EXPECT_EQ(object->ref_count(), 2u);
}

TEST_F(DerivationTest, RevokeRemovesDerivedCopiesTransitivelyAcrossCNodes) {
    auto object = make_object();
    //   a[0] (root) -> b[0] -> c[0]
    //               -> a[1]
    //               -> c[1] -> b[1]
    auto root = *kernel::cap::insert(a, object, Rights::All);
    auto b0 = *kernel::cap::delegate(a, root, b, std::nullopt, RWG);
    auto c0 = *kernel::cap::delegate(b, b0, c, std::nullopt, RW);
    auto a1 = *kernel::cap::delegate(a, root, a, std::nullopt, RW);
    auto c1 = *kernel::cap::delegate(a, root, c, std::nullopt, RWG);
    auto b1 = *kernel::cap::delegate(c, c1, b, std::nullopt, Rights::Read);
    EXPECT_EQ(object->ref_count(), 7u);

    auto removed = kernel::cap::revoke(a, root);
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, 5u); // the whole subtree, whichever CNode each copy lives in
    EXPECT_TRUE(present(a, root));
    for (auto [cnode, slot] : {std::pair{&b, b0}, {&c, c0}, {&a, a1}, {&c, c1}, {&b, b1}})
        EXPECT_FALSE(present(*cnode, slot)) << "slot " << slot.index();
    EXPECT_EQ(object->ref_count(), 2u);
    EXPECT_EQ(g_destroyed, 0);
    // The original is still fully usable, and can be delegated again.
    EXPECT_TRUE(kernel::cap::lookup(a, root, CapType::IpcEndpoint, Rights::All));
    EXPECT_TRUE(kernel::cap::delegate(a, root, b, std::nullopt, Rights::Read));
}

TEST_F(DerivationTest, RevokeOfAMiddleCapabilityRemovesOnlyItsSubtree) {
    auto root = *kernel::cap::insert(a, make_object(), Rights::All);
    auto mid = *kernel::cap::delegate(a, root, b, std::nullopt, RWG | Rights::Revoke);
    auto leaf = *kernel::cap::delegate(b, mid, c, std::nullopt, Rights::Read);
    auto sibling = *kernel::cap::delegate(a, root, c, std::nullopt, Rights::Read);
    ASSERT_TRUE(kernel::cap::revoke(b, mid));
    EXPECT_TRUE(present(a, root));
    EXPECT_TRUE(present(b, mid));
    EXPECT_FALSE(present(c, leaf));
    EXPECT_TRUE(present(c, sibling));
}

TEST_F(DerivationTest, RevokeNeedsRevokeAndChangesNothingWithout) {
    auto root = *kernel::cap::insert(a, make_object(), RWG);
    auto copy = *kernel::cap::delegate(a, root, b, std::nullopt, Rights::Read);
    EXPECT_EQ(kernel::cap::revoke(a, root).error(), Error::MissingRights);
    EXPECT_TRUE(present(b, copy));
    EXPECT_EQ(kernel::cap::revoke(a, CapSlot(64)).error(), Error::NoSlot);
    EXPECT_EQ(kernel::cap::revoke(a, CapSlot(30)).error(), Error::EmptySlot);
}

TEST_F(DerivationTest, DroppingAMiddleCapabilityKeepsItsChildrenRevocable) {
    auto root = *kernel::cap::insert(a, make_object(), Rights::All);
    auto mid = *kernel::cap::delegate(a, root, b, std::nullopt, RWG);
    auto leaf = *kernel::cap::delegate(b, mid, c, std::nullopt, Rights::Read);
    ASSERT_TRUE(kernel::cap::drop(b, mid));
    EXPECT_TRUE(present(c, leaf)); // a drop is not a revoke
    ASSERT_TRUE(kernel::cap::revoke(a, root));
    EXPECT_FALSE(present(c, leaf)); // it moved up to the root
}

TEST_F(DerivationTest, DroppingTheRootMakesCopiesIndependent) {
    auto object = make_object();
    auto root = *kernel::cap::insert(a, object, Rights::All);
    auto copy = *kernel::cap::delegate(a, root, b, std::nullopt, RWG | Rights::Revoke);
    auto grandchild = *kernel::cap::delegate(b, copy, c, std::nullopt, Rights::Read);
    object.reset();
    ASSERT_TRUE(kernel::cap::drop(a, root));
    EXPECT_EQ(g_destroyed, 0); // the copies still hold it
    ASSERT_TRUE(kernel::cap::revoke(b, copy));
    EXPECT_FALSE(present(c, grandchild));
    ASSERT_TRUE(kernel::cap::drop(b, copy));
    EXPECT_EQ(g_destroyed, 1);
}

TEST_F(DerivationTest, CopiesSurviveTheirSourceCNode) {
    auto object = make_object();
    CapSlot copy;
    {
        CNode doomed;
        auto root = *kernel::cap::insert(doomed, object, Rights::All);
        copy = *kernel::cap::delegate(doomed, root, b, std::nullopt, RWG | Rights::Revoke);
        ASSERT_TRUE(kernel::cap::delegate(b, copy, c, std::nullopt, Rights::Read));
    }
    EXPECT_TRUE(present(b, copy));
    object.reset();
    EXPECT_EQ(g_destroyed, 0);
    ASSERT_TRUE(kernel::cap::revoke(b, copy)); // the tree below the survivor is intact
    EXPECT_EQ(c.used_slots(), 0u);
    ASSERT_TRUE(kernel::cap::drop(b, copy));
    EXPECT_EQ(g_destroyed, 1);
}

TEST_F(DerivationTest, RevokeDropsEveryCopysReference) {
    // Every copy shares the root's object, so a revoke drops references but never the last.
    auto object = make_object();
    auto root = *kernel::cap::insert(a, object, Rights::All);
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(kernel::cap::delegate(a, root, b, std::nullopt, RWG));
    EXPECT_EQ(object->ref_count(), 12u);
    ASSERT_TRUE(kernel::cap::revoke(a, root));
    EXPECT_EQ(object->ref_count(), 2u);
    EXPECT_EQ(b.used_slots(), 0u);
}

TEST_F(DerivationTest, ConcurrentDelegationAndRevocationStayConsistent) {
    // Two CPUs: one keeps copying the root into b and c and dropping copies, the other keeps
    // revoking. The single capability lock must keep the tree and the counts exact.
    auto object = make_object();
    auto root = *kernel::cap::insert(a, object, Rights::All);
    std::thread delegator([&] {
        for (int i = 0; i < 5000; ++i) {
            auto copy = kernel::cap::delegate(a, root, b, std::nullopt, RWG);
            if (copy && i % 3 == 0)
                (void)kernel::cap::drop(b, *copy); // may already be revoked: EmptySlot
            if (copy)
                (void)kernel::cap::delegate(b, *copy, c, std::nullopt, Rights::Read);
        }
    });
    std::thread revoker([&] {
        for (int i = 0; i < 2000; ++i)
            ASSERT_TRUE(kernel::cap::revoke(a, root));
    });
    delegator.join();
    revoker.join();
    ASSERT_TRUE(kernel::cap::revoke(a, root));
    EXPECT_EQ(b.used_slots(), 0u);
    EXPECT_EQ(c.used_slots(), 0u);
    EXPECT_EQ(object->ref_count(), 2u);
}

} // namespace

namespace {

// A tree larger than one revoke batch (32) across many CNodes: every copy goes, in several
// batches, and the count is the whole tree.
TEST(DerivationBatches, RevokeOfATreeLargerThanABatchRemovesItAll) {
    g_destroyed = 0;
    std::vector<std::unique_ptr<CNode>> cnodes;
    for (int i = 0; i < 4; ++i)
        cnodes.push_back(std::make_unique<CNode>());
    CNode root_cnode;
    auto object = make_object();
    auto root = *kernel::cap::insert(root_cnode, object, Rights::All);
    // 4 CNodes x 63 copies, each copy a child of the previous one in its CNode (deep chains).
    size_t made = 0;
    for (auto& cnode : cnodes) {
        CapSlot from = root;
        CNode* from_cnode = &root_cnode;
        for (int i = 0; i < 63; ++i) {
            auto copy = kernel::cap::delegate(*from_cnode, from, *cnode, std::nullopt,
                                              Rights::All);
            ASSERT_TRUE(copy);
            from = *copy;
            from_cnode = cnode.get();
            ++made;
        }
    }
    EXPECT_EQ(object->ref_count(), made + 2);
    auto removed = kernel::cap::revoke(root_cnode, root);
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, made);
    for (auto& cnode : cnodes)
        EXPECT_EQ(cnode->used_slots(), 0u);
    EXPECT_EQ(object->ref_count(), 2u);
}

} // namespace
