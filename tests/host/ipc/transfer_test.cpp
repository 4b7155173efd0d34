// Capability transfer with IPC: needs GRANT, lands in the receiver's window as a derived copy,
// and any failure fails the send cleanly (nothing delivered, the receiver still waiting).
#include <gtest/gtest.h>

#include "fake_scheduler.h"
#include "kernel/cap/derivation.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/io_port.h"

namespace {

using ipc_test::FakeScheduler;
using kernel::cap::CNode;
using kernel::object::IpcStatus;
using kernel::ipc::IpcWaiter;
using kernel::ipc::WaiterState;
using mnos::CapSlot;
using mnos::CapType;
using mnos::Error;
using mnos::Rights;

constexpr CapSlot SENDER_SLOT{3};
constexpr CapSlot WINDOW{10};

class TransferTest : public ::testing::Test {
protected:
    void SetUp() override {
        kernel::ipc::install_scheduler_hooks(scheduler);
        sender.cnode = &sender_cnode;
        receiver.cnode = &receiver_cnode;
        receiver.receive_window = WINDOW;
    }
    void TearDown() override {
        kernel::object::Endpoint::cancel(sender);
        kernel::object::Endpoint::cancel(receiver);
    }

    // Puts an I/O port capability with `rights` into the sender's SENDER_SLOT and names it in
    // the sender's message, to be passed on with `transfer_rights`.
    void give_sender(Rights rights, Rights transfer_rights) {
        ports = *kernel::object::IoPort::create(0x60, 4);
        ASSERT_TRUE(kernel::cap::insert(sender_cnode, ports, rights, SENDER_SLOT));
        sender.message.label = 42;
        sender.message.words[0] = 1;
        sender.message.words[1] = 2;
        sender.message.words[2] = 3;
        sender.message.transfer = SENDER_SLOT;
        sender.message.transfer_rights = transfer_rights;
    }

    void expect_nothing_delivered() {
        EXPECT_EQ(receiver.state, WaiterState::ReceiveBlocked);
        EXPECT_EQ(receiver.message.label, 0u);
        EXPECT_EQ(receiver.message.words[0], 0u);
        EXPECT_FALSE(receiver_cnode.inspect(WINDOW));
        EXPECT_EQ(endpoint->queued_receivers(), 1u);
        EXPECT_TRUE(scheduler.woken.empty());
    }

    FakeScheduler scheduler;
    CNode sender_cnode, receiver_cnode;
    lib::RefPtr<kernel::object::IoPort> ports;
    IpcWaiter sender, receiver;
    lib::RefPtr<kernel::object::Endpoint> endpoint = *kernel::object::Endpoint::create();
};

TEST_F(TransferTest, WithGrantTheCapabilityLandsInTheWindow) {
    give_sender(Rights::Read | Rights::Write | Rights::Grant | Rights::Revoke, Rights::Read);
    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Blocked);
    ASSERT_EQ(*endpoint->send(sender), IpcStatus::Completed);

    EXPECT_EQ(receiver.state, WaiterState::Done);
    EXPECT_EQ(receiver.message.label, 42u);
    EXPECT_EQ(receiver.message.words[2], 3u);
    EXPECT_EQ(receiver.message.transfer, WINDOW);
    EXPECT_EQ(receiver.message.transfer_rights, Rights::Read);
    auto landed = kernel::cap::lookup_as<kernel::object::IoPort>(receiver_cnode, WINDOW,
                                                                       Rights::Read);
    ASSERT_TRUE(landed);
    EXPECT_EQ(landed->get(), ports.get());
    EXPECT_EQ(receiver_cnode.inspect(WINDOW)->rights, Rights::Read);
    // The sender keeps its own capability: a transfer is a copy.
    EXPECT_EQ(sender_cnode.inspect(SENDER_SLOT)->type, CapType::IoPort);
    // ...derived from the sender's, so the sender can take it back.
    ASSERT_TRUE(kernel::cap::revoke(sender_cnode, SENDER_SLOT));
    EXPECT_FALSE(receiver_cnode.inspect(WINDOW));
}

TEST_F(TransferTest, AQueuedSendersCapabilityTransfersOnReceive) {
    give_sender(Rights::Read | Rights::Grant, Rights::Read | Rights::Grant);
    ASSERT_EQ(*endpoint->send(sender), IpcStatus::Blocked);
    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Completed);
    EXPECT_EQ(receiver.message.transfer, WINDOW);
    EXPECT_EQ(receiver_cnode.inspect(WINDOW)->rights, Rights::Read | Rights::Grant);
    EXPECT_EQ(sender.state, WaiterState::Done);
}

TEST_F(TransferTest, WithoutGrantTheSendFailsAndNothingIsDelivered) {
    give_sender(Rights::Read | Rights::Write, Rights::Read);
    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Blocked);
    EXPECT_EQ(endpoint->send(sender).error(), Error::MissingRights);
    EXPECT_EQ(sender.state, WaiterState::Idle);
    expect_nothing_delivered();
    // The receiver is still there for a message that carries no capability.
    sender.message.transfer = CapSlot::none();
    ASSERT_EQ(*endpoint->send(sender), IpcStatus::Completed);
    EXPECT_EQ(receiver.message.label, 42u);
    EXPECT_TRUE(receiver.message.transfer.is_none());
    EXPECT_FALSE(receiver_cnode.inspect(WINDOW));
}

TEST_F(TransferTest, WideningTransferRightsFail) {
    give_sender(Rights::Read | Rights::Grant, Rights::Read | Rights::Write);
    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Blocked);
    EXPECT_EQ(endpoint->send(sender).error(), Error::MissingRights);
    expect_nothing_delivered();
}

TEST_F(TransferTest, ASenderWithoutTheNamedCapabilityFailsBeforeQueueing) {
    give_sender(Rights::Read | Rights::Grant, Rights::Read);
    sender.message.transfer = CapSlot(20); // empty
    EXPECT_EQ(endpoint->send(sender).error(), Error::EmptySlot);
    EXPECT_EQ(endpoint->queued_senders(), 0u);
}

TEST_F(TransferTest, AReceiverWithoutAWindowRefusesCapabilities) {
    give_sender(Rights::Read | Rights::Grant, Rights::Read);
    receiver.receive_window = CapSlot::none();
    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Blocked);
    EXPECT_EQ(endpoint->send(sender).error(), Error::NoSlot);
    EXPECT_EQ(receiver.state, WaiterState::ReceiveBlocked);
    EXPECT_EQ(receiver.message.label, 0u);
    EXPECT_EQ(receiver_cnode.used_slots(), 0u);
}

TEST_F(TransferTest, AnOccupiedWindowFailsTheQueuedSenderAndServesTheNext) {
    give_sender(Rights::Read | Rights::Grant, Rights::Read);
    ASSERT_TRUE(kernel::cap::insert(receiver_cnode, *kernel::object::Endpoint::create(),
                                    Rights::Read, WINDOW));
    ASSERT_EQ(*endpoint->send(sender), IpcStatus::Blocked);
    IpcWaiter plain;
    plain.message.label = 77;
    ASSERT_EQ(*endpoint->send(plain), IpcStatus::Blocked);

    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Completed);
    EXPECT_EQ(sender.state, WaiterState::Failed);
    EXPECT_EQ(sender.error, Error::SlotInUse);
    EXPECT_EQ(receiver.message.label, 77u); // the plain message, not the failed one
    EXPECT_EQ(receiver_cnode.inspect(WINDOW)->type, CapType::IpcEndpoint); // untouched
    EXPECT_EQ(scheduler.woken, (std::vector<IpcWaiter*>{&sender, &plain}));
}

TEST_F(TransferTest, ACapabilityRevokedWhileQueuedFailsTheSend) {
    give_sender(Rights::All, Rights::Read);
    // The sender's slot holds a copy; its parent is revoked while the sender waits.
    CNode owner;
    auto root = *kernel::cap::insert(owner, *kernel::object::Endpoint::create(), Rights::All);
    ASSERT_TRUE(kernel::cap::drop(sender_cnode, SENDER_SLOT));
    ASSERT_TRUE(kernel::cap::delegate(owner, root, sender_cnode, SENDER_SLOT, Rights::All));
    ASSERT_EQ(*endpoint->send(sender), IpcStatus::Blocked);
    ASSERT_TRUE(kernel::cap::revoke(owner, root));
    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Blocked);
    EXPECT_EQ(sender.state, WaiterState::Failed);
    EXPECT_EQ(sender.error, Error::EmptySlot);
    EXPECT_FALSE(receiver_cnode.inspect(WINDOW));
}

TEST_F(TransferTest, AReplyCanCarryACapabilityBackToTheCaller) {
    // The receiver acts as a server handing the caller a capability in its reply.
    ports = *kernel::object::IoPort::create(0x70, 2);
    ASSERT_TRUE(kernel::cap::insert(receiver_cnode, ports, Rights::Read | Rights::Grant,
                                    CapSlot(5)));
    sender.receive_window = CapSlot(6);
    sender.message.label = 1;
    ASSERT_EQ(*endpoint->call(sender), IpcStatus::Blocked);
    ASSERT_EQ(*endpoint->receive(receiver), IpcStatus::Completed);

    receiver.message = {};
    receiver.message.label = 2;
    receiver.message.transfer = CapSlot(5);
    receiver.message.transfer_rights = Rights::Read;
    // First with an occupied window on the caller's side: the reply fails, the caller waits on.
    ASSERT_TRUE(kernel::cap::insert(sender_cnode, *kernel::object::Endpoint::create(),
                                    Rights::Read, CapSlot(6)));
    EXPECT_EQ(kernel::object::Endpoint::reply(receiver).error(), Error::SlotInUse);
    EXPECT_EQ(sender.state, WaiterState::ReplyBlocked);
    ASSERT_TRUE(kernel::cap::drop(sender_cnode, CapSlot(6)));
    ASSERT_TRUE(kernel::object::Endpoint::reply(receiver));
    EXPECT_EQ(sender.state, WaiterState::Done);
    EXPECT_EQ(sender.message.label, 2u);
    EXPECT_EQ(sender.message.transfer, CapSlot(6));
    auto landed = kernel::cap::lookup_as<kernel::object::IoPort>(sender_cnode, CapSlot(6),
                                                                       Rights::Read);
    ASSERT_TRUE(landed);
    EXPECT_EQ((*landed)->base(), 0x70);
}

} // namespace
