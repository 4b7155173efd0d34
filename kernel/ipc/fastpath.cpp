#include "kernel/ipc/fastpath.h"

#include <optional>

#include "kernel/cap/cnode.h"
#include "kernel/object/endpoint.h"
#include "kernel/sched/blocking.h"
#include "kernel/sched/scheduler.h"
#include "kernel/syscall/message_registers.h"

namespace kernel::ipc {

using mnos::CapSlot;
using mnos::Syscall;
using object::Endpoint;
using object::Thread;
using sched::BlockResult;
using syscall::SyscallFrame;

namespace {

// The registers' shape the fast path serves: no capability sent (R9 exactly none), and an
// endpoint slot and receive window that are slots or none (R13's none is UINT32_MAX). Any
// other value is the general path's to refuse.
bool fast_shape(const SyscallFrame& frame) {
    return frame.r9 == CapSlot::NONE_VALUE && frame.rdi <= UINT32_MAX &&
           frame.r13 <= UINT32_MAX;
}

CapSlot endpoint_slot(const SyscallFrame& frame) { return CapSlot(uint32_t(frame.rdi)); }
CapSlot window_register(const SyscallFrame& frame) { return CapSlot(uint32_t(frame.r13)); }

// The message in the registers, straight into the partner's buffer: what deliver_locked()
// does with a message that carries no capability (fast_shape() said it carries none).
void deliver_registers(const SyscallFrame& frame, IpcWaiter& to, uint64_t badge) {
    mnos::IpcMessage& m = to.message;
    m.label = frame.rsi;
    m.words[0] = frame.rdx;
    m.words[1] = frame.r10;
    m.words[2] = frame.r8;
    m.transfer = CapSlot::none();
    m.transfer_rights = mnos::Rights::None;
    m.badge = badge;
}

// The capability in RDI if it has the type and rights of call S's row (abi/syscall.h); `use`
// runs on it under the CNode lock. False otherwise: the general path reports the error.
template <Syscall S, typename Use> bool with_endpoint_capability(IpcWaiter& self,
                                                                 const SyscallFrame& frame,
                                                                 Use use) {
    constexpr const mnos::SyscallSpec& spec = mnos::SYSCALL_SPECS[uint64_t(S)];
    static_assert(spec.type == mnos::CapType::IpcEndpoint);
    return self.cnode &&
           cap::use_capability(*self.cnode, endpoint_slot(frame), spec.type, spec.rights, use);
}

// Sound: every waiter that reaches an endpoint from a syscall is the one embedded in a Thread
// (as in kernel_hooks.cpp).
Thread& thread_of(IpcWaiter& waiter) { return *static_cast<object::ThreadIpcWaiter&>(waiter).thread; }

} // namespace

struct FastPath {
    // The partner's side of the call, when it is parked in the fast path itself (its
    // resume_frame `to`, its wake claimed by us): the outcome goes straight into the registers
    // it will return with, and what its own finish() would still do after its switch is done
    // here, for it resumes in Ring 3 (sched::switch_to_claimed_user). RAX is `badge` either
    // way: a reply_recv returns the caller's badge, a call returns 0 and a reply carries none.
    [[gnu::always_inline]] static void complete_in_frame(Thread& partner, SyscallFrame& to,
                                                         const SyscallFrame& from, uint64_t badge) {
        to.rsi = from.rsi;
        to.rdx = from.rdx;
        to.r10 = from.r10;
        to.r8 = from.r8;
        to.r9 = CapSlot::NONE_VALUE;
        to.r12 = uint32_t(mnos::Rights::None);
        to.rax = badge;
        IpcWaiter& waiter = partner.ipc;
        waiter.state = WaiterState::Idle;
        partner.resume_frame = nullptr;
        // The reference the partner's syscall held on the endpoint it waited through (its
        // call's lookup, or its reply_via's): never the last, as ours is on the same endpoint.
        Endpoint* held = waiter.blocked_on;
        waiter.blocked_on = nullptr;
        held->release();
    }

    // After the section that completed `partner` (claimed) and left `self` waiting: the CPU
    // goes to the partner. `early` is what begin_block() said: a kill (or a stray pending
    // wake) leaves `self` running, and then the partner's claimed wake goes through its run
    // queue, as in block_until_woken(). `direct`: the partner's resume_frame, when the section
    // left its message for complete_in_frame() (it is parked here, and `self` blocks). Writes
    // the outcome into the frame: RAX (0 for a call, the badge of what arrived for a
    // reply_recv) and the message registers, or the error.
    [[gnu::always_inline]] static void finish(Thread& self, Endpoint& endpoint, Thread& partner,
                                              std::optional<BlockResult> early,
                                              SyscallFrame* direct, uint64_t badge,
                                              SyscallFrame& frame, bool returns_badge) {
        IpcWaiter& waiter = self.ipc;
        waiter.blocked_on = &endpoint; // abandon()'s lock, should a kill end the wait
        BlockResult result;
        if (early) {
            sched::wake(partner);
            result = *early;
        } else {
            // Before the switch: no one can claim our wake until we are off this CPU.
            self.resume_frame = &frame;
            if (direct) {
                complete_in_frame(partner, *direct, frame, badge);
                sched::switch_to_claimed_user(partner, *direct);
            } else {
                sched::switch_to_claimed(partner, sched::HandOff::Syscall);
            }
            // Back by an ordinary switch (a fast partner that resumed us in Ring 3 never
            // returns here): whoever woke us left the outcome in waiter.
            self.resume_frame = nullptr;
            result = sched::end_block(self);
        }
        // As KernelSchedulerHooks::block_current: off the endpoint, or the partner's wake owed.
        if (result == BlockResult::Interrupted && Endpoint::abandon(waiter))
            sched::block_until_woken(sched::BlockMode::Uninterruptible);
        waiter.blocked_on = nullptr;
        switch (waiter.state) {
        case WaiterState::Done:
            syscall::write_message(frame, waiter.message);
            frame.rax = returns_badge ? waiter.message.badge : 0;
            break;
        case WaiterState::Failed:
            frame.rax = uint64_t(mnos::error_result(waiter.error));
            break;
        default: // a stray wake: still waiting, reported as the general path reports it
            frame.rax = uint64_t(mnos::error_result(mnos::Error::Busy));
            return;
        }
        waiter.state = WaiterState::Idle;
    }

    // Both inline into fast_call() and fast_reply_recv(): no call between dispatch and body.
    [[gnu::always_inline]] static bool call(Thread& self, SyscallFrame& frame) {
        IpcWaiter& waiter = self.ipc;
        if (!fast_shape(frame) || waiter.is_blocked())
            return false;
        // A reference for as long as the call waits, as the general path's syscall holds one.
        lib::RefPtr<object::KernelObject> held;
        uint64_t badge = 0;
        if (!with_endpoint_capability<Syscall::Call>(waiter, frame, [&](cap::Capability& c) {
                held = c.object;
                badge = c.badge;
                return true;
            }))
            return false;
        // Sound: the capability's type is IpcEndpoint.
        auto& endpoint = static_cast<Endpoint&>(*held);
        Thread* partner;
        std::optional<BlockResult> early;
        SyscallFrame* direct;
        {
            Guard guard(endpoint.m_lock, INTERRUPTS_OFF);
            IpcWaiter* receiver = endpoint.waiting_receiver_locked();
            if (!receiver || !sched::claim_for_switch(thread_of(*receiver)))
                return false;
            partner = &thread_of(*receiver);
            waiter.receive_window = window_register(frame);
            endpoint.call_and_await_locked(waiter, *receiver);
            early = sched::begin_block(self, sched::BlockMode::Interruptible);
            direct = early ? nullptr : partner->resume_frame;
            if (!direct)
                deliver_registers(frame, *receiver, badge);
        }
        finish(self, endpoint, *partner, early, direct, badge, frame, false);
        return true;
    }

    [[gnu::always_inline]] static bool reply_recv(Thread& self, SyscallFrame& frame) {
        IpcWaiter& waiter = self.ipc;
        // The reply is owed through the endpoint invoked: its lock guards the pair, and the
        // reference reply_via holds becomes this syscall's while it waits to receive.
        Endpoint* endpoint = waiter.reply_via;
        if (!fast_shape(frame) || waiter.is_blocked() || !endpoint)
            return false;
        if (!with_endpoint_capability<Syscall::ReplyRecv>(
                waiter, frame, [&](cap::Capability& c) { return c.object.get() == endpoint; }))
            return false;
        Thread* partner;
        std::optional<BlockResult> early;
        SyscallFrame* direct;
        {
            Guard guard(endpoint->m_lock, INTERRUPTS_OFF);
            IpcWaiter* caller = endpoint->waiting_caller_locked(waiter);
            if (!caller || !sched::claim_for_switch(thread_of(*caller)))
                return false;
            partner = &thread_of(*caller);
            waiter.receive_window = window_register(frame);
            endpoint->reply_and_enqueue_locked(waiter, *caller);
            early = sched::begin_block(self, sched::BlockMode::Interruptible);
            direct = early ? nullptr : partner->resume_frame;
            if (!direct)
                deliver_registers(frame, *caller, 0);
        }
        finish(self, *endpoint, *partner, early, direct, 0, frame, true);
        endpoint->release(); // reply_via's; nothing is locked, should it be the last
        return true;
    }
};

bool fast_call(Thread& self, SyscallFrame& frame) {
    return FastPath::call(self, frame);
}

bool fast_reply_recv(Thread& self, SyscallFrame& frame) {
    return FastPath::reply_recv(self, frame);
}

} // namespace kernel::ipc
