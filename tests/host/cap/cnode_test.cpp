// The capability table: insert, the one lookup with each of its errors, drop and slot reuse.
#include <gtest/gtest.h>

#include "kernel/cap/cnode.h"
#include "kernel/object/io_port.h"
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

class CNodeTest : public ::testing::Test {
protected:
    void SetUp() override { g_destroyed = 0; }
    CNode cnode;
};

TEST_F(CNodeTest, InsertTakesTheFirstFreeSlotOrTheNamedOne) {
    auto first = kernel::cap::insert(cnode, make_object(), RW);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, CapSlot(0));
    auto named = kernel::cap::insert(cnode, make_object(), RW, CapSlot(17));
    ASSERT_TRUE(named);
    EXPECT_EQ(*named, CapSlot(17));
    auto next = kernel::cap::insert(cnode, make_object(), RW);
    EXPECT_EQ(*next, CapSlot(1));
    EXPECT_EQ(cnode.used_slots(), 3u);
    auto info = cnode.inspect(CapSlot(17));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->type, CapType::IpcEndpoint);
    EXPECT_EQ(info->rights, RW);
}

TEST_F(CNodeTest, InsertRefusesAnOccupiedOrMissingSlot) {
    ASSERT_TRUE(kernel::cap::insert(cnode, make_object(), RW, CapSlot(3)));
    EXPECT_EQ(kernel::cap::insert(cnode, make_object(), RW, CapSlot(3)).error(), Error::SlotInUse);
    EXPECT_EQ(kernel::cap::insert(cnode, make_object(), RW, CapSlot(64)).error(), Error::NoSlot);
    EXPECT_EQ(kernel::cap::insert(cnode, nullptr, RW).error(), Error::InvalidArgument);
    EXPECT_EQ(kernel::cap::insert(cnode, make_object(), Rights(1u << 9)).error(),
              Error::InvalidArgument);
    EXPECT_EQ(cnode.used_slots(), 1u);
    // The refused objects had no other reference and are gone; the inserted one lives.
    EXPECT_EQ(g_destroyed, 3);
}

TEST_F(CNodeTest, LookupReturnsTheObjectWithAReference) {
    auto object = make_object();
    auto slot = *kernel::cap::insert(cnode, object, RW);
    auto found = kernel::cap::lookup(cnode, slot, CapType::IpcEndpoint, Rights::Read);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->get(), object.get());
    EXPECT_EQ(object->ref_count(), 3u); // ours, the slot's, the lookup's
}

TEST_F(CNodeTest, LookupNamesEachError) {
    auto slot = *kernel::cap::insert(cnode, make_object(), Rights::Read);
    EXPECT_EQ(kernel::cap::lookup(cnode, CapSlot(64), CapType::IpcEndpoint, Rights::None).error(),
              Error::NoSlot);
    EXPECT_EQ(kernel::cap::lookup(cnode, CapSlot::none(), CapType::IpcEndpoint, Rights::None)
                  .error(),
              Error::NoSlot);
    EXPECT_EQ(kernel::cap::lookup(cnode, CapSlot(5), CapType::IpcEndpoint, Rights::None).error(),
              Error::EmptySlot);
    EXPECT_EQ(kernel::cap::lookup(cnode, slot, CapType::IoPort, Rights::None).error(),
              Error::WrongType);
    EXPECT_EQ(kernel::cap::lookup(cnode, slot, CapType::IpcEndpoint, Rights::Write).error(),
              Error::MissingRights);
    // The type is checked before the rights.
    EXPECT_EQ(kernel::cap::lookup(cnode, slot, CapType::IoPort, Rights::Write).error(),
              Error::WrongType);
    EXPECT_TRUE(kernel::cap::lookup(cnode, slot, CapType::IpcEndpoint, Rights::Read));
}

TEST_F(CNodeTest, TypedLookupGivesTheConcreteClass) {
    auto ports = *kernel::object::IoPort::create(0x3f8, 8);
    auto slot = *kernel::cap::insert(cnode, ports, Rights::Read | Rights::Write);
    auto found = kernel::cap::lookup_as<kernel::object::IoPort>(cnode, slot, Rights::Write);
    ASSERT_TRUE(found);
    EXPECT_EQ((*found)->base(), 0x3f8);
    EXPECT_EQ((*found)->size(), 8u);
    auto other = *kernel::cap::insert(cnode, make_object(CapType::MemoryFrame), Rights::Read);
    EXPECT_EQ(kernel::cap::lookup_as<kernel::object::IoPort>(cnode, other, Rights::None)
                  .error(),
              Error::WrongType);
}

TEST_F(CNodeTest, DropFreesTheSlotForReuse) {
    auto a = *kernel::cap::insert(cnode, make_object(), RW);
    auto b = *kernel::cap::insert(cnode, make_object(), RW);
    ASSERT_TRUE(kernel::cap::drop(cnode, a));
    EXPECT_EQ(cnode.inspect(a).error(), Error::EmptySlot);
    EXPECT_EQ(kernel::cap::drop(cnode, a).error(), Error::EmptySlot);
    EXPECT_EQ(kernel::cap::drop(cnode, CapSlot(99)).error(), Error::NoSlot);
    auto reused = *kernel::cap::insert(cnode, make_object(CapType::IoPort), RW);
    EXPECT_EQ(reused, a);
    EXPECT_EQ(cnode.inspect(reused)->type, CapType::IoPort);
    EXPECT_TRUE(cnode.inspect(b));
}

TEST_F(CNodeTest, AFullCNodeRefusesAndStaysIntact) {
    for (uint32_t i = 0; i < mnos::CNODE_SLOTS; ++i)
        ASSERT_TRUE(kernel::cap::insert(cnode, make_object(), RW));
    auto extra = make_object();
    EXPECT_EQ(kernel::cap::insert(cnode, extra, RW).error(), Error::NoSlot);
    EXPECT_EQ(extra->ref_count(), 1u); // the failed insert kept no reference
    EXPECT_EQ(cnode.used_slots(), mnos::CNODE_SLOTS);
    ASSERT_TRUE(kernel::cap::drop(cnode, CapSlot(40)));
    EXPECT_EQ(*kernel::cap::insert(cnode, extra, RW), CapSlot(40));
}

TEST_F(CNodeTest, TheLastDropReleasesTheObject) {
    CNode other;
    auto object = make_object();
    auto a = *kernel::cap::insert(cnode, object, RW);
    auto b = *kernel::cap::insert(other, object, RW);
    object.reset(); // only the two slots hold it now
    EXPECT_EQ(g_destroyed, 0);
    ASSERT_TRUE(kernel::cap::drop(cnode, a));
    EXPECT_EQ(g_destroyed, 0);
    ASSERT_TRUE(kernel::cap::drop(other, b));
    EXPECT_EQ(g_destroyed, 1);
}

TEST_F(CNodeTest, DestroyingACNodeReleasesItsObjects) {
    {
        CNode doomed;
        for (int i = 0; i < 5; ++i)
            ASSERT_TRUE(kernel::cap::insert(doomed, make_object(), RW));
        EXPECT_EQ(g_destroyed, 0);
    }
    EXPECT_EQ(g_destroyed, 5);
}

} // namespace

namespace {

// What a Process is to the capability system: an object owning a CNode.
class FakeProcess final : public kernel::object::KernelObject {
public:
    static constexpr CapType CAP_TYPE = CapType::Process;
    FakeProcess() : KernelObject(CAP_TYPE) {}
    kernel::cap::CNode& cnode() { return m_cnode; }
    uint64_t pid() const { return 42; }
    ~FakeProcess() override { ++cap_test::g_destroyed; }

private:
    kernel::cap::CNode m_cnode;
};

TEST_F(CNodeTest, DroppingTheLastProcessCapabilityTearsDownItsCNode) {
    // The process's destruction drops every capability in its CNode, which takes the
    // capability lock: this must happen after drop() has let go of it, or it would deadlock.
    auto process = *kernel::object::create_object<FakeProcess>();
    auto held = make_object();
    ASSERT_TRUE(kernel::cap::insert(process->cnode(), held, RW));
    ASSERT_TRUE(kernel::cap::insert(process->cnode(), make_object(), RW));
    auto slot = *kernel::cap::insert(cnode, process, Rights::All);
    EXPECT_EQ(process->pid(), 42u);
    auto found = kernel::cap::lookup_as<FakeProcess>(cnode, slot, Rights::Write);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->get(), process.get());
    found->reset();
    process.reset();
    ASSERT_TRUE(kernel::cap::drop(cnode, slot));
    EXPECT_EQ(g_destroyed, 2); // the process and the object only it held
    EXPECT_EQ(held->ref_count(), 1u);
}

} // namespace
