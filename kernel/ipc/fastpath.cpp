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

// The message in the registers, into the sender's buffer; fast_shape() said it carries no
// capability, so there is nothing to check (read_message() would find the same).
void load(const SyscallFrame& frame, IpcWaiter& self, uint64_t badge) {
    mnos::IpcMessage& m = self.message;
    m.label = frame.rsi;
    m.words[0] = frame.rdx;
    m.words[1] = frame.r10;
    m.words[2] = frame.r8;
    m.transfer = CapSlot::none();
    m.transfer_rights = mnos::Rights::None;
    self.receive_window = CapSlot(uint32_t(frame.r13));
    self.badge = badge;
}

// The endpoint capability in RDI with the call's row's type and rights, or nothing (the general
// path then reports the error).
template <Syscall S> std::optional<cap::Found> endpoint_capability(IpcWaiter& self,
                                                                   const SyscallFrame& frame) {
    constexpr const mnos::SyscallSpec& spec = mnos::SYSCALL_SPECS[uint64_t(S)];
    static_assert(spec.type == mnos::CapType::IpcEndpoint);
    if (!self.cnode)
        return std::nullopt;
    auto found = cap::lookup_capability(*self.cnode, CapSlot(uint32_t(frame.rdi)), spec.type,
                                        spec.rights);
    if (!found)
        return std::nullopt;
    return std::move(*found);
}

// Sound: every waiter that reaches an endpoint from a syscall is the one embedded in a Thread
// (as in kernel_hooks.cpp).
Thread& thread_of(IpcWaiter& waiter) { return *static_cast<object::ThreadIpcWaiter&>(waiter).thread; }

} // namespace

struct FastPath {
    // After the section: the partner, claimed and completed, runs next. `early` is what
    // begin_block() said: a kill (or a stray pending wake) leaves the caller running, and then
    // the partner's claimed wake goes through its run queue, as in block_until_woken().
    // Writes the outcome into the frame: RAX (0 for a call, the badge of what arrived for a
    // reply_recv) and the message registers, or the error.
    static void finish(Thread& self, Endpoint& endpoint, Thread& partner,
                       std::optional<BlockResult> early, SyscallFrame& frame, bool returns_badge) {
        IpcWaiter& waiter = self.ipc;
        waiter.blocked_on = &endpoint; // abandon()'s lock, should a kill end the wait
        BlockResult result;
        if (early) {
            sched::wake(partner);
            result = *early;
        } else {
            sched::switch_to_claimed(partner, sched::HandOff::Syscall);
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
        default: // a stray wake: still waiting, as the general path reports it
            frame.rax = uint64_t(mnos::error_result(mnos::Error::Busy));
            return; // the operation stays in its state, as there
        }
        waiter.state = WaiterState::Idle;
    }

    static bool call(Thread& self, SyscallFrame& frame) {
        IpcWaiter& waiter = self.ipc;
        if (!fast_shape(frame) || waiter.is_blocked())
            return false;
        std::optional<cap::Found> found = endpoint_capability<Syscall::Call>(waiter, frame);
        if (!found)
            return false;
        // Sound: looked up with type IpcEndpoint. `found` holds a reference until we return,
        // as the general path's syscall does while it waits.
        auto& endpoint = static_cast<Endpoint&>(*found->object);
        Thread* partner;
        std::optional<BlockResult> early;
        {
            Guard guard(endpoint.m_lock);
            IpcWaiter* receiver = endpoint.waiting_receiver_locked();
            if (!receiver || !sched::claim_for_switch(thread_of(*receiver)))
                return false;
            partner = &thread_of(*receiver);
            load(frame, waiter, found->badge);
            endpoint.call_and_await_locked(waiter, *receiver);
            early = sched::begin_block(self, sched::BlockMode::Interruptible);
        }
        finish(self, endpoint, *partner, early, frame, false);
        return true;
    }

    static bool reply_recv(Thread& self, SyscallFrame& frame) {
        IpcWaiter& waiter = self.ipc;
        if (!fast_shape(frame) || waiter.is_blocked())
            return false;
        std::optional<cap::Found> found = endpoint_capability<Syscall::ReplyRecv>(waiter, frame);
        if (!found)
            return false;
        auto& endpoint = static_cast<Endpoint&>(*found->object); // sound: as in call()
        // The reply is owed through this endpoint: its lock guards the pair.
        if (waiter.reply_via != &endpoint)
            return false;
        Thread* partner;
        std::optional<BlockResult> early;
        {
            Guard guard(endpoint.m_lock);
            IpcWaiter* caller = endpoint.waiting_caller_locked(waiter);
            if (!caller || !sched::claim_for_switch(thread_of(*caller)))
                return false;
            partner = &thread_of(*caller);
            load(frame, waiter, 0);
            endpoint.reply_and_enqueue_locked(waiter, *caller);
            early = sched::begin_block(self, sched::BlockMode::Interruptible);
        }
        // The reference reply_via held; `found` holds another.
        endpoint.release();
        finish(self, endpoint, *partner, early, frame, true);
        return true;
    }
};

bool fast_call(Thread& self, SyscallFrame& frame) { return FastPath::call(self, frame); }

bool fast_reply_recv(Thread& self, SyscallFrame& frame) {
    return FastPath::reply_recv(self, frame);
}

} // namespace kernel::ipc
