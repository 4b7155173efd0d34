// Endpoint queues: send/receive rendezvous in both orders, FIFO service of many senders and
// many receivers, call/reply pairing, reply_and_receive, cancellation.
#include <gtest/gtest.h>

#include "fake_scheduler.h"
#include "kernel/object/endpoint.h"

namespace {

using ipc_test::FakeScheduler;
using kernel::object::IpcStatus;
using kernel::ipc::IpcWaiter;
using kernel::ipc::WaiterState;
using mnos::Error;

class EndpointTest : public ::testing::Test {
protected:
    void SetUp() override { kernel::ipc::install_scheduler_hooks(scheduler); }

    static void set_message(IpcWaiter& waiter, uint64_t label) {
        waiter.message = {};
        waiter.message.label = label;
        for (uint32_t i = 0; i < mnos::IPC_MESSAGE_WORDS; ++i)
            waiter.message.words[i] = label * 100 + i;
    }
    static void expect_message(const IpcWaiter& waiter, uint64_t label) {
        EXPECT_EQ(waiter.message.label, label);
        for (uint32_t i = 0; i < mnos::IPC_MESSAGE_WORDS; ++i)
            EXPECT_EQ(waiter.message.words[i], label * 100 + i) << "word " << i;
        EXPECT_TRUE(waiter.message.transfer.is_none());
    }

    using ReplyAndReceive =
        lib::Result<IpcStatus> (kernel::object::Endpoint::*)(IpcWaiter&);
    void expect_hand_offs_only_where_blocking(ReplyAndReceive reply_and_receive);

    FakeScheduler scheduler;
    lib::RefPtr<kernel::object::Endpoint> endpoint = *kernel::object::Endpoint::create();
};

TEST_F(EndpointTest, SendBlocksUntilAReceiverTakesTheMessage) {
    IpcWaiter sender, receiver;
    set_message(sender, 7);
    EXPECT_EQ(*endpoint->send(sender), IpcStatus::Blocked);
    EXPECT_EQ(sender.state, WaiterState::SendBlocked);
    EXPECT_EQ(scheduler.blocked, std::vector<IpcWaiter*>{&sender});
    EXPECT_EQ(endpoint->queued_senders(), 1u);

    EXPECT_EQ(*endpoint->receive(receiver), IpcStatus::Completed);
    expect_message(receiver, 7);
    EXPECT_EQ(sender.state, WaiterState::Done);
    EXPECT_EQ(scheduler.woken, std::vector<IpcWaiter*>{&sender});
    EXPECT_EQ(endpoint->queued_senders(), 0u);
}

TEST_F(EndpointTest, ReceiveBlocksUntilASenderArrives) {
    IpcWaiter sender, receiver;
    EXPECT_EQ(*endpoint->receive(receiver), IpcStatus::Blocked);
    EXPECT_EQ(receiver.state, WaiterState::ReceiveBlocked);
    EXPECT_EQ(endpoint->queued_receivers(), 1u);
    set_message(sender, 9);
    EXPECT_EQ(*endpoint->send(sender), IpcStatus::Completed);
    EXPECT_EQ(sender.state, WaiterState::Idle);
    EXPECT_EQ(receiver.state, WaiterState::Done);
    expect_message(receiver, 9);
    EXPECT_EQ(scheduler.woken, std::vector<IpcWaiter*>{&receiver});
    EXPECT_EQ(scheduler.blocked, std::vector<IpcWaiter*>{&receiver}); // the sender never blocked
}

TEST_F(EndpointTest, ManySendersAreServedInArrivalOrder) {
    constexpr int N = 6;
    IpcWaiter senders[N];
    for (int i = 0; i < N; ++i) {
        set_message(senders[i], 10 + i);
        ASSERT_EQ(*endpoint->send(senders[i]), IpcStatus::Blocked);
    }
    EXPECT_EQ(endpoint->queued_senders(), size_t(N));
    for (int i = 0; i < N; ++i) {
        IpcWaiter receiver;
        ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Completed);
        expect_message(receiver, 10 + i);
        EXPECT_EQ(scheduler.woken.back(), &senders[i]);
        // Those behind it are still waiting.
        for (int j = i + 1; j < N; ++j)
            EXPECT_EQ(senders[j].state, WaiterState::SendBlocked);
    }
    EXPECT_EQ(scheduler.woken.size(), size_t(N));
}

TEST_F(EndpointTest, ManyReceiversAreServedInArrivalOrder) {
    constexpr int N = 5;
    IpcWaiter receivers[N];
    for (auto& receiver : receivers)
        ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Blocked);
    for (int i = 0; i < N; ++i) {
        IpcWaiter sender;
        set_message(sender, 50 + i);
        ASSERT_EQ(*endpoint->send(sender), IpcStatus::Completed);
    }
    for (int i = 0; i < N; ++i) {
        EXPECT_EQ(receivers[i].state, WaiterState::Done);
        expect_message(receivers[i], 50 + i);
        EXPECT_EQ(scheduler.woken[i], &receivers[i]);
    }
}

TEST_F(EndpointTest, ABlockedWaiterCannotStartAnotherOperation) {
    IpcWaiter waiter, other;
    ASSERT_EQ(*endpoint->send(waiter), IpcStatus::Blocked);
    EXPECT_EQ(endpoint->send(waiter).error(), Error::Busy);
    EXPECT_EQ(endpoint->receive(waiter).error(), Error::Busy);
    EXPECT_EQ(endpoint->call(waiter).error(), Error::Busy);
    EXPECT_EQ(endpoint->queued_senders(), 1u);
    ASSERT_TRUE(endpoint->receive(other));
}

TEST_F(EndpointTest, CallWaitsForTheReplyFromTheReceiver) {
    IpcWaiter client, server;
    set_message(client, 1);
    EXPECT_EQ(*endpoint->call(client), IpcStatus::Blocked);
    EXPECT_EQ(client.state, WaiterState::CallBlocked);

    EXPECT_EQ(*endpoint->receive(server), IpcStatus::Completed);
    expect_message(server, 1);
    EXPECT_EQ(client.state, WaiterState::ReplyBlocked); // received, but not answered
    EXPECT_TRUE(scheduler.woken.empty());
    EXPECT_EQ(server.reply_to, &client);

    set_message(server, 2);
    ASSERT_TRUE(kernel::object::Endpoint::reply(server));
    EXPECT_EQ(client.state, WaiterState::Done);
    expect_message(client, 2);
    EXPECT_EQ(scheduler.woken, std::vector<IpcWaiter*>{&client});
    EXPECT_EQ(server.reply_to, nullptr);
    EXPECT_EQ(kernel::object::Endpoint::reply(server).error(), Error::NotFound); // only one reply per call
}

TEST_F(EndpointTest, CallToAWaitingReceiverBlocksForTheReply) {
    IpcWaiter client, server;
    ASSERT_EQ(*endpoint->receive(server), IpcStatus::Blocked);
    set_message(client, 3);
    EXPECT_EQ(*endpoint->call(client), IpcStatus::Blocked);
    EXPECT_EQ(client.state, WaiterState::ReplyBlocked);
    EXPECT_EQ(server.state, WaiterState::Done);
    expect_message(server, 3);
    set_message(server, 4);
    ASSERT_TRUE(kernel::object::Endpoint::reply(server));
    expect_message(client, 4);
    EXPECT_EQ(client.state, WaiterState::Done);
}

TEST_F(EndpointTest, RepliesGoToTheRightCallers) {
    IpcWaiter clients[3], servers[2];
    for (int i = 0; i < 3; ++i) {
        set_message(clients[i], 20 + i);
        ASSERT_EQ(*endpoint->call(clients[i]), IpcStatus::Blocked);
    }
    // Two server threads take the first two calls, and answer in the opposite order.
    ASSERT_TRUE(endpoint->receive(servers[0]));
    ASSERT_TRUE(endpoint->receive(servers[1]));
    expect_message(servers[0], 20);
    expect_message(servers[1], 21);
    set_message(servers[1], 91);
    ASSERT_TRUE(kernel::object::Endpoint::reply(servers[1]));
    set_message(servers[0], 90);
    ASSERT_TRUE(kernel::object::Endpoint::reply(servers[0]));
    expect_message(clients[0], 90);
    expect_message(clients[1], 91);
    EXPECT_EQ(clients[2].state, WaiterState::CallBlocked);
    EXPECT_EQ(scheduler.woken, (std::vector<IpcWaiter*>{&clients[1], &clients[0]}));
    kernel::object::Endpoint::cancel(clients[2]); // a waiter leaves its queue before its thread goes
}

TEST_F(EndpointTest, ReceiveRefusesWhileAReplyIsOwed) {
    IpcWaiter client, server;
    ASSERT_TRUE(endpoint->call(client));
    ASSERT_TRUE(endpoint->receive(server));
    EXPECT_EQ(endpoint->receive(server).error(), Error::Busy);
    IpcWaiter idle;
    EXPECT_EQ(kernel::object::Endpoint::reply(idle).error(), Error::NotFound);
}

TEST_F(EndpointTest, ReplyAndReceiveAnswersThenTakesTheNextCall) {
    IpcWaiter server, first, second;
    // A server loop may start with reply_and_receive: nothing to answer yet.
    EXPECT_EQ(*endpoint->reply_and_receive(server), IpcStatus::Blocked);
    set_message(first, 30);
    ASSERT_EQ(*endpoint->call(first), IpcStatus::Blocked);
    expect_message(server, 30);
    set_message(second, 31);
    ASSERT_EQ(*endpoint->call(second), IpcStatus::Blocked);
    EXPECT_EQ(second.state, WaiterState::CallBlocked);

    set_message(server, 130);
    EXPECT_EQ(*endpoint->reply_and_receive(server), IpcStatus::Completed);
    expect_message(first, 130);
    EXPECT_EQ(first.state, WaiterState::Done);
    expect_message(server, 31); // the next call, received in the same step
    EXPECT_EQ(server.reply_to, &second);
    EXPECT_EQ(second.state, WaiterState::ReplyBlocked);

    set_message(server, 131);
    EXPECT_EQ(*endpoint->reply_and_receive(server), IpcStatus::Blocked);
    expect_message(second, 131);
    EXPECT_EQ(server.state, WaiterState::ReceiveBlocked);
    kernel::object::Endpoint::cancel(server);
}

// The fast path: a call to a waiting receiver and a reply_recv that blocks hand the CPU to the
// partner they completed; a send, a reply_recv that finds the next call queued, and the plain
// reply wake it instead.
// reply_and_receive_fast() must hand off exactly where reply_and_receive() does.
void EndpointTest::expect_hand_offs_only_where_blocking(ReplyAndReceive reply_and_receive) {
    using Pair = std::pair<IpcWaiter*, IpcWaiter*>;
    IpcWaiter server, client, other;
    ASSERT_EQ(*endpoint->receive(server), IpcStatus::Blocked);
    set_message(client, 1);
    ASSERT_EQ(*endpoint->call(client), IpcStatus::Blocked);
    EXPECT_EQ(scheduler.hand_offs, std::vector<Pair>{Pair(&client, &server)});
    expect_message(server, 1);

    set_message(server, 2);
    ASSERT_EQ(*(endpoint.get()->*reply_and_receive)(server), IpcStatus::Blocked);
    expect_message(client, 2);
    EXPECT_EQ(scheduler.hand_offs.back(), Pair(&server, &client));
    ASSERT_EQ(scheduler.hand_offs.size(), 2u);

    // The next call is queued before the server answers: the server does not block, so the
    // caller it answered is woken and nobody is handed the CPU.
    client.state = WaiterState::Idle;
    set_message(client, 3);
    ASSERT_EQ(*endpoint->call(client), IpcStatus::Blocked); // hand-off 3: to the server
    set_message(other, 4);
    ASSERT_EQ(*endpoint->call(other), IpcStatus::Blocked);
    EXPECT_EQ(other.state, WaiterState::CallBlocked);
    ASSERT_EQ(scheduler.hand_offs.size(), 3u);
    set_message(server, 5);
    ASSERT_EQ(*(endpoint.get()->*reply_and_receive)(server), IpcStatus::Completed);
    expect_message(client, 5);
    expect_message(server, 4);
    EXPECT_EQ(scheduler.hand_offs.size(), 3u);
    EXPECT_EQ(scheduler.woken.back(), &client);

    set_message(server, 6);
    ASSERT_TRUE(endpoint->reply(server));
    expect_message(other, 6);
    EXPECT_EQ(scheduler.woken.back(), &other);
    EXPECT_EQ(scheduler.hand_offs.size(), 3u);
}

TEST_F(EndpointTest, OnlyOperationsThatBlockOnACompletedPartnerHandOff) {
    expect_hand_offs_only_where_blocking(&kernel::object::Endpoint::reply_and_receive);
}

TEST_F(EndpointTest, TheFastReplyAndReceiveHandsOffWhereTheGeneralOneDoes) {
    expect_hand_offs_only_where_blocking(&kernel::object::Endpoint::reply_and_receive_fast);
}

// A reply owed through another endpoint is the general path's: answered there, and the server
// then receives (and blocks) on this one.
TEST_F(EndpointTest, TheFastReplyAndReceiveLeavesAReplyOwedElsewhereToTheGeneralPath) {
    IpcWaiter server, client;
    auto second = *kernel::object::Endpoint::create();
    ASSERT_EQ(*endpoint->receive(server), IpcStatus::Blocked);
    set_message(client, 1);
    ASSERT_EQ(*endpoint->call(client), IpcStatus::Blocked);
    set_message(server, 2);
    ASSERT_EQ(*second->reply_and_receive_fast(server), IpcStatus::Blocked);
    expect_message(client, 2);
    EXPECT_EQ(client.state, WaiterState::Done);
    EXPECT_EQ(second->queued_receivers(), 1u);
    EXPECT_EQ(endpoint->queued_receivers(), 0u);
    kernel::object::Endpoint::cancel(server);
}

TEST_F(EndpointTest, CancelLeavesTheQueueAndFreesTheCallerItOwes) {
    IpcWaiter a, b, c;
    ASSERT_TRUE(endpoint->send(a));
    ASSERT_TRUE(endpoint->send(b));
    kernel::object::Endpoint::cancel(a);
    EXPECT_EQ(a.state, WaiterState::Idle);
    EXPECT_EQ(endpoint->queued_senders(), 1u);
    set_message(b, 5);
    ASSERT_TRUE(endpoint->receive(c));
    expect_message(c, 5); // b, not the cancelled a

    IpcWaiter client, server;
    ASSERT_TRUE(endpoint->call(client));
    ASSERT_TRUE(endpoint->receive(server));
    kernel::object::Endpoint::cancel(server); // the server thread dies owing a reply
    EXPECT_EQ(client.state, WaiterState::Failed);
    EXPECT_EQ(client.error, Error::PeerGone);
    EXPECT_EQ(scheduler.woken.back(), &client);

    IpcWaiter client2, server2;
    ASSERT_TRUE(endpoint->call(client2));
    ASSERT_TRUE(endpoint->receive(server2));
    kernel::object::Endpoint::cancel(client2); // the client dies while waiting for the reply
    EXPECT_EQ(kernel::object::Endpoint::reply(server2).error(), Error::PeerGone);
    EXPECT_EQ(kernel::object::Endpoint::reply(server2).error(), Error::NotFound); // nothing owed

    IpcWaiter receiver;
    ASSERT_TRUE(endpoint->receive(receiver));
    kernel::object::Endpoint::cancel(receiver);
    EXPECT_EQ(endpoint->queued_receivers(), 0u);
}

} // namespace
