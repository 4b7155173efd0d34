// The invocation path on the host: the MNOS_SYSCALLS table and decode (every number, every
// right of every call, slots in full width), and the endpoint's invocations driven through
// registers exactly as the syscall entry drives them: badges, capabilities both ways.
#include <gtest/gtest.h>

#include "../cap/test_object.h"
#include "../ipc/fake_scheduler.h"
#include "kernel/cap/derivation.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/io_port.h"
#include "kernel/object/irq_line.h"
#include "kernel/syscall/invocation.h"
#include "kernel/syscall/message_registers.h"

namespace {

using kernel::cap::CNode;
using kernel::syscall::Invocation;
using kernel::syscall::SyscallFrame;
using mnos::CapSlot;
using mnos::CapType;
using mnos::Error;
using mnos::Invokes;
using mnos::Rights;
using mnos::Syscall;

// A caller: its registers, CNode and waiters.
struct Caller {
    SyscallFrame registers{};
    CNode cnode;
    kernel::ipc::IpcWaiter ipc;
    kernel::object::IrqWaiter irq;
    Caller() { ipc.cnode = &cnode; }

    Invocation invocation() { return Invocation{registers, cnode, ipc, irq, nullptr, {}, {}}; }
    // Decodes the call in the registers: the number, then the capability in RDI.
    lib::Result<void> decode(Syscall number, uint64_t slot) {
        registers.rax = uint64_t(number);
        registers.rdi = slot;
        auto spec = kernel::syscall::decode_number(registers.rax);
        if (!spec)
            return lib::fail(spec.error());
        Invocation call = invocation();
        return kernel::syscall::decode_target(**spec, call);
    }
};

TEST(SyscallTable, EveryNumberDecodesToItsOwnRow) {
    for (uint64_t n = 0; n < mnos::SYSCALL_COUNT; ++n) {
        auto spec = kernel::syscall::decode_number(n);
        ASSERT_TRUE(spec) << n;
        EXPECT_EQ(uint64_t((*spec)->number), n);
        EXPECT_NE((*spec)->name, nullptr);
        if ((*spec)->invokes != Invokes::Object)
            EXPECT_EQ((*spec)->type, CapType::Empty) << (*spec)->name;
        else
            EXPECT_NE((*spec)->type, CapType::Empty) << (*spec)->name;
    }
    EXPECT_EQ(kernel::syscall::decode_number(mnos::SYSCALL_COUNT).error(), Error::InvalidArgument);
    EXPECT_EQ(kernel::syscall::decode_number(~0ull).error(), Error::InvalidArgument);
}

TEST(SyscallTable, EachCallIsRefusedWithoutEachRightItNeeds) {
    constexpr Rights EACH[] = {Rights::Read, Rights::Write, Rights::Exec, Rights::Grant,
                               Rights::Revoke};
    for (const mnos::SyscallSpec& spec : mnos::SYSCALL_SPECS) {
        if (spec.invokes == Invokes::Nothing)
            continue;
        CapType type = spec.invokes == Invokes::Object ? spec.type : CapType::IoPort;
        for (Rights right : EACH) {
            if (!mnos::has_rights(spec.rights, right))
                continue;
            Caller caller;
            auto slot = kernel::cap::insert(caller.cnode, cap_test::make_object(type),
                                            Rights::All & ~right);
            ASSERT_TRUE(slot);
            EXPECT_EQ(caller.decode(spec.number, slot->index()).error(), Error::MissingRights)
                << spec.name << " without right " << uint32_t(right);
        }
        Caller caller;
        auto slot = *kernel::cap::insert(caller.cnode, cap_test::make_object(type), spec.rights);
        EXPECT_TRUE(caller.decode(spec.number, slot.index())) << spec.name << " with its rights";
        EXPECT_EQ(caller.decode(spec.number, 40).error(), Error::EmptySlot) << spec.name;
        EXPECT_EQ(caller.decode(spec.number, mnos::CNODE_SLOTS).error(), Error::NoSlot);
        // 2^32 + slot: a 33-bit value is no slot, not the slot its low half names.
        EXPECT_EQ(caller.decode(spec.number, (1ull << 32) | slot.index()).error(), Error::NoSlot)
            << spec.name;
        if (spec.invokes == Invokes::Object) {
            CapType other = type == CapType::IoPort ? CapType::IpcEndpoint : CapType::IoPort;
            auto wrong = *kernel::cap::insert(caller.cnode, cap_test::make_object(other),
                                              Rights::All);
            EXPECT_EQ(caller.decode(spec.number, wrong.index()).error(), Error::WrongType)
                << spec.name;
        }
    }
}

class EndpointInvocationTest : public ::testing::Test {
protected:
    void SetUp() override { kernel::ipc::install_scheduler_hooks(scheduler); }

    // Runs `number` on the endpoint capability in `slot` of `caller`, as dispatch does.
    template <Syscall S> lib::Result<uint64_t> run(Caller& caller, CapSlot slot) {
        caller.registers.rax = uint64_t(S);
        caller.registers.rdi = slot.index();
        Invocation call = caller.invocation();
        TRY(kernel::syscall::decode_target(mnos::SYSCALL_SPECS[uint64_t(S)], call));
        return call.object<kernel::object::Endpoint>().invoke(kernel::syscall::Op<S>{}, call);
    }
    static void no_transfer(Caller& caller) {
        caller.registers.r9 = CapSlot::NONE_VALUE;
        caller.registers.r13 = CapSlot::NONE_VALUE;
    }

    ipc_test::FakeScheduler scheduler;
    lib::RefPtr<kernel::object::Endpoint> endpoint = *kernel::object::Endpoint::create();
};

TEST_F(EndpointInvocationTest, EachClientsBadgeReachesTheServer) {
    Caller server, clients[3];
    CapSlot receive = *kernel::cap::insert(server.cnode, endpoint, Rights::Read);
    const uint64_t badges[] = {11, 22, 33};
    for (int i = 0; i < 3; ++i) {
        CapSlot all = *kernel::cap::insert(clients[i].cnode, endpoint, Rights::All);
        CapSlot badged = *kernel::cap::mint(clients[i].cnode, all, badges[i], Rights::Write);
        no_transfer(clients[i]);
        clients[i].registers.rsi = 100 + i; // the label
        // The fake scheduler does not block: the send stays queued and the call says Busy.
        EXPECT_EQ(run<Syscall::Send>(clients[i], badged).error(), Error::Busy);
    }
    for (int i = 0; i < 3; ++i) {
        no_transfer(server);
        auto badge = run<Syscall::Recv>(server, receive);
        ASSERT_TRUE(badge);
        EXPECT_EQ(*badge, badges[i]);                  // RAX
        EXPECT_EQ(server.registers.rsi, uint64_t(100 + i)); // the label in RSI
        EXPECT_EQ(server.registers.r9, CapSlot::NONE_VALUE); // no capability
    }
    // Unbadged senders are badge 0, and a badge cannot be minted twice or be 0.
    Caller plain;
    CapSlot all = *kernel::cap::insert(plain.cnode, endpoint, Rights::All);
    no_transfer(plain);
    EXPECT_EQ(run<Syscall::Send>(plain, all).error(), Error::Busy);
    no_transfer(server);
    EXPECT_EQ(*run<Syscall::Recv>(server, receive), 0u);
    CapSlot badged = *kernel::cap::mint(plain.cnode, all, 5, Rights::All);
    EXPECT_EQ(kernel::cap::mint(plain.cnode, badged, 6, Rights::All).error(),
              Error::InvalidArgument);
    EXPECT_EQ(kernel::cap::mint(plain.cnode, all, 0, Rights::All).error(), Error::InvalidArgument);
    EXPECT_EQ(kernel::cap::mint(plain.cnode, all, mnos::BADGE_LIMIT, Rights::All).error(),
              Error::InvalidArgument);
    // A delegated copy keeps the badge.
    CapSlot copy = *kernel::cap::delegate(plain.cnode, badged, plain.cnode, std::nullopt,
                                          Rights::Write);
    EXPECT_EQ(plain.cnode.inspect(copy)->badge, 5u);
}

TEST_F(EndpointInvocationTest, ACallCarriesACapabilityEachWay) {
    Caller client, server;
    CapSlot call_slot = *kernel::cap::insert(client.cnode, endpoint, Rights::Write);
    CapSlot receive = *kernel::cap::insert(server.cnode, endpoint, Rights::Read);
    CapSlot gift = *kernel::cap::insert(client.cnode, *kernel::object::IoPort::create(0x60, 4),
                                        Rights::Read | Rights::Grant);
    CapSlot answer = *kernel::cap::insert(server.cnode, *kernel::object::IoPort::create(0x70, 2),
                                          Rights::All);
    constexpr CapSlot SERVER_WINDOW{20}, CLIENT_WINDOW{30};

    client.registers.rsi = 1;
    client.registers.r9 = gift.index();
    client.registers.r12 = uint32_t(Rights::Read);
    client.registers.r13 = CLIENT_WINDOW.index(); // where the reply's capability may land
    EXPECT_EQ(run<Syscall::Call>(client, call_slot).error(), Error::Busy); // queued
    server.registers.r13 = SERVER_WINDOW.index();
    ASSERT_TRUE(run<Syscall::Recv>(server, receive));
    EXPECT_EQ(server.registers.r9, SERVER_WINDOW.index());
    EXPECT_EQ(server.registers.r12, uint32_t(Rights::Read));
    EXPECT_EQ(server.cnode.inspect(SERVER_WINDOW)->type, CapType::IoPort);

    server.ipc.message = {};
    server.ipc.message.label = 2;
    server.ipc.message.transfer = answer;
    server.ipc.message.transfer_rights = Rights::Write;
    ASSERT_TRUE(kernel::object::Endpoint::reply(server.ipc));
    EXPECT_EQ(client.ipc.state, kernel::ipc::WaiterState::Done);
    EXPECT_EQ(client.ipc.message.label, 2u);
    EXPECT_EQ(client.ipc.message.transfer, CLIENT_WINDOW);
    auto landed = client.cnode.inspect(CLIENT_WINDOW);
    ASSERT_TRUE(landed);
    EXPECT_EQ(landed->type, CapType::IoPort);
    EXPECT_EQ(landed->rights, Rights::Write);
}

TEST_F(EndpointInvocationTest, RegisterArgumentsAreCheckedInFullWidth) {
    Caller client;
    CapSlot all = *kernel::cap::insert(client.cnode, endpoint, Rights::All);
    client.registers.r9 = (1ull << 32) | all.index(); // a transfer slot above 32 bits
    EXPECT_EQ(run<Syscall::Send>(client, all).error(), Error::NoSlot);
    client.registers.r9 = all.index();
    client.registers.r12 = 1u << 20; // undefined transfer rights
    EXPECT_EQ(run<Syscall::Send>(client, all).error(), Error::InvalidArgument);
    client.registers.r9 = CapSlot::NONE_VALUE;
    client.registers.r13 = 1ull << 33; // a receive window above 32 bits
    EXPECT_EQ(run<Syscall::Recv>(client, all).error(), Error::NoSlot);
    EXPECT_EQ(endpoint->queued_senders() + endpoint->queued_receivers(), 0u); // nothing queued
}

} // namespace
