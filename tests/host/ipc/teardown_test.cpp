// The order an ended process gives back what it holds (kernel/object/teardown.h), run over
// real capabilities, endpoints and frames: each step finds the ones before it done, and the
// parent woken by the exit notice finds the child's frames back and its callers failed.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "fake_scheduler.h"
#include "kernel/cap/derivation.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/memory_frame.h"
#include "kernel/object/teardown.h"

namespace {

using ipc_test::FakeScheduler;
using kernel::cap::CNode;
using kernel::ipc::IpcWaiter;
using kernel::ipc::WaiterState;
using kernel::object::Endpoint;
using kernel::object::IpcStatus;
using kernel::object::MemoryFrame;
using lib::PhysAddr;
using mnos::Rights;

class CountingAllocator final : public kernel::mm::FrameAllocator {
public:
    lib::Result<PhysAddr> allocate_frame() override { return lib::fail(mnos::Error::OutOfMemory); }
    lib::Result<void> free_frame(PhysAddr) override {
        ++freed;
        return {};
    }
    size_t freed = 0;
};

// An ended process as the steps see it: page tables (a flag), the frames its mappings hold
// (references, as Region records hold them), its CNode, and what a waiting parent observes.
struct EndedProcess {
    bool tables = true;
    std::vector<lib::RefPtr<MemoryFrame>> mappings;
    CNode cnode;
    std::vector<std::string> order;

    // What the parent would see at the moment the exit is posted.
    std::function<void()> at_exit;

    void release_page_tables() {
        order.push_back("tables");
        tables = false;
    }
    void free_mapped_frames() {
        order.push_back("frames");
        EXPECT_FALSE(tables) << "a frame freed while a page table may still map it";
        mappings.clear();
    }
    void clear_capabilities() {
        order.push_back("capabilities");
        EXPECT_TRUE(mappings.empty());
        cnode.clear();
    }
    void post_exit() {
        order.push_back("exit");
        if (at_exit)
            at_exit();
    }
};

class TeardownTest : public ::testing::Test {
protected:
    void SetUp() override { kernel::ipc::install_scheduler_hooks(scheduler); }
    FakeScheduler scheduler;
    CountingAllocator allocator;
};

TEST_F(TeardownTest, TheStepsRunInTheirOrder) {
    EndedProcess process;
    kernel::object::tear_down(process);
    EXPECT_EQ(process.order,
              (std::vector<std::string>{"tables", "frames", "capabilities", "exit"}));
}

TEST_F(TeardownTest, AParentWokenByTheExitFindsEverythingGivenBack) {
    EndedProcess process;
    // A frame only mapped; a frame mapped and also held by a capability of the process; a
    // frame the parent holds a capability to as well, which must outlive the child.
    auto only_mapped = *MemoryFrame::create(PhysAddr(0x100000), 2, &allocator);
    auto also_in_cnode = *MemoryFrame::create(PhysAddr(0x200000), 3, &allocator);
    auto shared = *MemoryFrame::create(PhysAddr(0x300000), 4, &allocator);
    CNode parent;
    ASSERT_TRUE(kernel::cap::insert(process.cnode, also_in_cnode, Rights::All));
    ASSERT_TRUE(kernel::cap::insert(parent, shared, Rights::All));
    process.mappings = {only_mapped, also_in_cnode, shared};
    only_mapped.reset();
    also_in_cnode.reset();
    shared.reset();
    // A service endpoint only the ended process held, with a client's call queued on it.
    auto endpoint = *Endpoint::create();
    ASSERT_TRUE(kernel::cap::insert(process.cnode, endpoint, Rights::All));
    IpcWaiter client;
    ASSERT_EQ(*endpoint->call(client), IpcStatus::Blocked);
    endpoint.reset(); // only the capability keeps it now

    bool checked = false;
    process.at_exit = [&] {
        EXPECT_EQ(allocator.freed, 2u + 3u) << "the child's own frames are back, the shared one not";
        EXPECT_EQ(client.state, WaiterState::Failed);
        EXPECT_EQ(client.error, mnos::Error::PeerGone);
        checked = true;
    };
    kernel::object::tear_down(process);
    EXPECT_TRUE(checked);
    parent.clear();
    EXPECT_EQ(allocator.freed, 2u + 3u + 4u);
}

} // namespace
