// An endpoint closes when its last capability goes (Endpoint::last_capability_gone): the
// threads queued on it fail with PeerGone and so does everything started on it later. This is
// what turns a crashed service's clients' calls into errors instead of hangs (docs/init.md).
#include <gtest/gtest.h>

#include "fake_scheduler.h"
#include "kernel/cap/derivation.h"
#include "kernel/object/endpoint.h"

namespace {

using ipc_test::FakeScheduler;
using kernel::cap::CNode;
using kernel::ipc::IpcWaiter;
using kernel::ipc::WaiterState;
using kernel::object::Endpoint;
using kernel::object::IpcStatus;
using mnos::CapSlot;
using mnos::Error;
using mnos::Rights;

constexpr CapSlot CLIENT_SLOT{5};

class ClosingTest : public ::testing::Test {
protected:
    void SetUp() override {
        kernel::ipc::install_scheduler_hooks(scheduler);
        endpoint = *Endpoint::create();
        root = *kernel::cap::insert(service, endpoint, Rights::All);
        ASSERT_TRUE(kernel::cap::delegate(service, root, client, CLIENT_SLOT, Rights::Write));
    }
    void TearDown() override {
        Endpoint::cancel(caller);
        Endpoint::cancel(server);
    }

    FakeScheduler scheduler;
    CNode service, client;
    lib::RefPtr<Endpoint> endpoint; // what a syscall in flight holds: a reference, no capability
    CapSlot root;
    IpcWaiter caller, server;
};

TEST_F(ClosingTest, AQueuedCallerFailsWhenTheLastCapabilityGoes) {
    ASSERT_EQ(*endpoint->call(caller), IpcStatus::Blocked);
    ASSERT_TRUE(kernel::cap::drop(service, root)); // the client's copy still reaches it
    EXPECT_EQ(caller.state, WaiterState::CallBlocked);
    EXPECT_TRUE(scheduler.woken.empty());

    ASSERT_TRUE(kernel::cap::drop(client, CLIENT_SLOT));
    EXPECT_EQ(caller.state, WaiterState::Failed);
    EXPECT_EQ(caller.error, Error::PeerGone);
    EXPECT_EQ(scheduler.woken, std::vector<IpcWaiter*>{&caller});
    EXPECT_EQ(endpoint->queued_senders(), 0u);
}

TEST_F(ClosingTest, AQueuedReceiverFailsWhenTheLastCapabilityGoes) {
    ASSERT_EQ(*endpoint->receive(server), IpcStatus::Blocked);
    ASSERT_TRUE(kernel::cap::revoke(service, root)); // the client's copy goes with it
    EXPECT_EQ(server.state, WaiterState::ReceiveBlocked);
    ASSERT_TRUE(kernel::cap::drop(service, root));
    EXPECT_EQ(server.state, WaiterState::Failed);
    EXPECT_EQ(server.error, Error::PeerGone);
    EXPECT_EQ(endpoint->queued_receivers(), 0u);
}

TEST_F(ClosingTest, EveryLaterOperationOnAClosedEndpointFails) {
    ASSERT_TRUE(kernel::cap::revoke(service, root));
    ASSERT_TRUE(kernel::cap::drop(service, root));
    EXPECT_EQ(endpoint->send(caller).error(), Error::PeerGone);
    EXPECT_EQ(endpoint->call(caller).error(), Error::PeerGone);
    EXPECT_EQ(endpoint->receive(server).error(), Error::PeerGone);
    EXPECT_TRUE(scheduler.blocked.empty());
}

TEST_F(ClosingTest, AnEndpointStaysOpenWhileAnyCapabilityRemains) {
    ASSERT_TRUE(kernel::cap::drop(service, root));
    ASSERT_EQ(*endpoint->receive(server), IpcStatus::Blocked);
    ASSERT_EQ(*endpoint->send(caller), IpcStatus::Completed);
    EXPECT_EQ(server.state, WaiterState::Done);
}

TEST_F(ClosingTest, EmptyingACNodeClosesTheEndpointsOnlyItHeld) {
    CNode ended;
    auto other = *Endpoint::create();
    ASSERT_TRUE(kernel::cap::insert(ended, other, Rights::All));
    IpcWaiter waiting;
    ASSERT_EQ(*other->receive(waiting), IpcStatus::Blocked);
    ended.clear(); // what an ended process's teardown does
    EXPECT_EQ(waiting.state, WaiterState::Failed);
    EXPECT_EQ(waiting.error, Error::PeerGone);
}

} // namespace
