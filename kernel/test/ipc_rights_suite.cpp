// test=ipc, continued: lookup and rights errors of the slot-based operations, a capability
// transferred with a message and revoked again, and an interrupt delivered to a thread waiting
// on an IrqLine capability (the PIT's one-shot on ISA IRQ 0).
#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/pit.h"
#include "kernel/cap/cnode.h"
#include "kernel/cap/derivation.h"
#include "kernel/test/kernel_calls.h"
#include "kernel/test/kernel_calls.h"
#include "kernel/irq/irq.h"
#include "kernel/irq/irq_lines.h"
#include "kernel/object/endpoint.h"
#include "kernel/sched/scheduler.h"
#include "kernel/test/ipc_test_support.h"

namespace kernel::test::ipc_test {

namespace {

using mnos::CapSlot;
using mnos::Error;
using mnos::IpcMessage;
using mnos::Rights;

// ---- rights and lookup errors ----

constexpr CapSlot WRITE_ONLY{0}, READ_ONLY{1}, EMPTY{2}, NOT_AN_ENDPOINT{3}, BEYOND{64};

struct RightsProbe {
    lib::RefPtr<object::Endpoint> endpoint;
    int receive_without_read = -1, send_without_write = -1, call_without_write = -1;
    int reply_receive_without_read = -1, send_empty = -1, receive_wrong_type = -1;
    int send_beyond = -1, irq_wait_wrong_type = -1;
    bool message_untouched = false;
    size_t queued_after = ~size_t(0);
};

void probe_rights(void* raw) {
    auto* p = static_cast<RightsProbe*>(raw);
    sched::Thread& self = *sched::current();
    IpcMessage message;
    message.label = 0xfeed;
    IpcMessage received = message;
    p->receive_without_read = outcome(ipc_receive(self, WRITE_ONLY, CapSlot::none(),
                                                       received));
    p->reply_receive_without_read = outcome(ipc_reply_receive(self, WRITE_ONLY,
                                                                   CapSlot::none(), received));
    p->message_untouched = received.label == 0xfeed;
    p->send_without_write = outcome(ipc_send(self, READ_ONLY, message));
    p->call_without_write = outcome(ipc_call(self, READ_ONLY, CapSlot::none(), received));
    p->send_empty = outcome(ipc_send(self, EMPTY, message));
    p->receive_wrong_type = outcome(ipc_receive(self, NOT_AN_ENDPOINT, CapSlot::none(),
                                                     received));
    p->send_beyond = outcome(ipc_send(self, BEYOND, message));
    p->irq_wait_wrong_type = outcome(irq_wait(self, WRITE_ONLY));
    p->message_untouched &= received.label == 0xfeed;
    p->queued_after = p->endpoint->queued_senders() + p->endpoint->queued_receivers();
}

// ---- a capability carried by a message, then revoked ----

constexpr CapSlot EP{0}, GIFT{1}, GIFT_NO_GRANT{2}, WINDOW{5};
constexpr uint64_t GIFT_LABEL = 0x9175, THANKS_LABEL = 0x7a4c;

struct Transfer {
    std::atomic<uint32_t> failures{0};
    int without_grant = -1;        // sending a capability the sender may not grant
    uint64_t thanks_label = 0;     // what the giver received through its own gift
    CapSlot landed;                // where the gift landed in the receiver's CNode
    cap::CapInfo landed_info{};
    int after_revoke = -1;         // the receiver using its copy after the revoke
    sched::Semaphore revoked;
};

void giver(void* raw) {
    auto* t = static_cast<Transfer*>(raw);
    sched::Thread& self = *sched::current();
    IpcMessage m;
    m.label = GIFT_LABEL;
    m.transfer = GIFT_NO_GRANT;
    m.transfer_rights = Rights::Read;
    t->without_grant = outcome(ipc_send(self, EP, m));
    m.transfer = GIFT;
    m.transfer_rights = Rights::Read | Rights::Write;
    if (!ipc_send(self, EP, m))
        return worker_failed(t->failures, "sending the gift failed", 0);
    // The receiver answers through the copy it got: proof that the copy works.
    IpcMessage thanks;
    if (!ipc_receive(self, GIFT, CapSlot::none(), thanks))
        return worker_failed(t->failures, "receiving through the gift failed", 0);
    t->thanks_label = thanks.label;
}

void taker(void* raw) {
    auto* t = static_cast<Transfer*>(raw);
    sched::Thread& self = *sched::current();
    IpcMessage m;
    if (!ipc_receive(self, EP, WINDOW, m) || m.label != GIFT_LABEL)
        return worker_failed(t->failures, "the gift did not arrive", m.label);
    t->landed = m.transfer;
    auto info = self.ipc.cnode->inspect(m.transfer);
    if (info)
        t->landed_info = *info;
    IpcMessage thanks;
    thanks.label = THANKS_LABEL;
    if (!ipc_send(self, m.transfer, thanks))
        worker_failed(t->failures, "sending through the gift failed", 0);
    t->revoked.down();
    t->after_revoke = outcome(ipc_send(self, m.transfer, thanks));
}

// ---- an interrupt through an IrqLine ----

constexpr CapSlot IRQ_READ{0}, IRQ_NO_READ{1};

struct IrqProbe {
    object::IrqLine* line = nullptr;
    int without_read = -1;
    int waited = -1;
    uint64_t woke_at = 0;
    bool handling_as_holder = false; // after the wake: Handling, and this thread holds the line
    std::atomic<bool> finished{false};
};

void irq_waiter(void* raw) {
    auto* p = static_cast<IrqProbe*>(raw);
    sched::Thread& self = *sched::current();
    p->without_read = outcome(irq_wait(self, IRQ_NO_READ));
    p->waited = outcome(irq_wait(self, IRQ_READ));
    p->woke_at = cpu::rdtsc();
    // Not acknowledged yet (no second wait): still Handling, still ours.
    p->handling_as_holder =
        p->line->state() == object::IrqState::Handling && self.irq.held == p->line;
    p->finished.store(true, std::memory_order_release);
}

uint64_t tsc_hz() { return x86_64::lapic::calibration().tsc_hz; }

// Polls `done` for up to `seconds`, sleeping between looks; false if it never came true.
template <typename Done> bool wait_until(Done done, uint64_t seconds) {
    for (uint64_t tick = 0; tick < seconds * sched::TICK_HZ; ++tick) {
        if (done())
            return true;
        sched::sleep_ticks(1);
    }
    return done();
}

} // namespace

void rights_suite_part(Context& ctx) {
    auto process = new_process();
    auto other = new_process();
    auto endpoint = object::Endpoint::create();
    EXPECT(ctx, process && other && endpoint);
    if (!process || !other || !endpoint)
        return;
    cap::CNode& cnode = process->cnode();
    EXPECT(ctx, cap::insert(cnode, *endpoint, Rights::Write | Rights::Grant, WRITE_ONLY));
    EXPECT(ctx, cap::insert(cnode, *endpoint, Rights::Read | Rights::Grant, READ_ONLY));
    EXPECT(ctx, cap::insert(cnode, other, Rights::All, NOT_AN_ENDPOINT));
    RightsProbe probe;
    probe.endpoint = *endpoint;
    sched::Semaphore done;
    Task task{probe_rights, &probe, &done};
    EXPECT(ctx, start(*process, "ipc-rights", task, sched::ANY_CPU));
    done.down();
    EXPECT(ctx, probe.receive_without_read == error_code(Error::MissingRights));
    EXPECT(ctx, probe.reply_receive_without_read == error_code(Error::MissingRights));
    EXPECT(ctx, probe.send_without_write == error_code(Error::MissingRights));
    EXPECT(ctx, probe.call_without_write == error_code(Error::MissingRights));
    EXPECT(ctx, probe.send_empty == error_code(Error::EmptySlot));
    EXPECT(ctx, probe.receive_wrong_type == error_code(Error::WrongType));
    EXPECT(ctx, probe.send_beyond == error_code(Error::NoSlot));
    EXPECT(ctx, probe.irq_wait_wrong_type == error_code(Error::WrongType));
    EXPECT(ctx, probe.message_untouched);
    EXPECT(ctx, probe.queued_after == 0);
    kprintln("selftest ipc: receive without READ and send without WRITE refused (missing "
             "rights), empty slot, wrong type and out-of-range slot refused");
}

void transfer_suite_part(Context& ctx) {
    auto giver_process = new_process();
    auto taker_process = new_process();
    auto endpoint = object::Endpoint::create();
    auto gift = object::Endpoint::create();
    EXPECT(ctx, giver_process && taker_process && endpoint && gift);
    if (!giver_process || !taker_process || !endpoint || !gift)
        return;
    cap::CNode& g = giver_process->cnode();
    cap::CNode& t = taker_process->cnode();
    EXPECT(ctx, cap::insert(g, *endpoint, Rights::Write, EP));
    EXPECT(ctx, cap::insert(t, *endpoint, Rights::Read, EP));
    EXPECT(ctx, cap::insert(g, *gift, Rights::All, GIFT));
    EXPECT(ctx, cap::delegate(g, GIFT, g, GIFT_NO_GRANT, Rights::Read | Rights::Write));
    static Transfer transfer; // holds a Semaphore; kept off the stack of a thread that may go
    sched::Semaphore done;
    Task give{giver, &transfer, &done}, take{taker, &transfer, &done};
    EXPECT(ctx, start(*taker_process, "ipc-taker", take, sched::ANY_CPU));
    EXPECT(ctx, start(*giver_process, "ipc-giver", give, sched::ANY_CPU));
    done.down(); // the giver, once the taker's answer came through the gift
    EXPECT(ctx, transfer.without_grant == error_code(Error::MissingRights));
    EXPECT(ctx, transfer.thanks_label == THANKS_LABEL);
    EXPECT(ctx, transfer.landed == WINDOW);
    EXPECT(ctx, transfer.landed_info.type == mnos::CapType::IpcEndpoint);
    EXPECT(ctx, transfer.landed_info.rights == (Rights::Read | Rights::Write));
    EXPECT(ctx, cap::revoke(g, GIFT));
    EXPECT(ctx, !t.inspect(WINDOW) && t.inspect(WINDOW).error() == Error::EmptySlot);
    EXPECT(ctx, g.inspect(GIFT).has_value()); // revoke keeps the capability itself
    transfer.revoked.up();
    done.down(); // the taker, after trying its revoked copy
    EXPECT(ctx, transfer.after_revoke == error_code(Error::EmptySlot));
    EXPECT(ctx, transfer.failures.load() == 0);
    kprintln("selftest ipc: capability transferred with a message into slot {}, used, and "
             "revoked ({})", transfer.landed.index(),
             transfer.after_revoke == error_code(Error::EmptySlot) ? "copy gone" : "copy left");
}

void irq_suite_part(Context& ctx) {
    // Channel 0 in one-shot mode first: whatever periodic mode the firmware left it in stops,
    // and its single edge is long over (and was dropped on the masked pin) before we bind.
    x86_64::pit::start_channel0_one_shot(1193); // 1 ms
    sched::sleep_ticks(2);
    auto line = irq::isa_irq_line(0);
    auto process = new_process();
    EXPECT(ctx, line && process);
    if (!line || !process)
        return;
    uint32_t gsi = (*line)->gsi();
    EXPECT(ctx, (*line)->state() == object::IrqState::Idle && !(*line)->pending());
    EXPECT(ctx, cap::insert(process->cnode(), *line, Rights::Read, IRQ_READ));
    EXPECT(ctx, cap::insert(process->cnode(), *line, Rights::Write, IRQ_NO_READ));
    uint64_t delivered_before = irq::delivered(gsi);
    static IrqProbe probe; // a thread that never woke would otherwise write into a dead frame
    probe.line = line->get();
    sched::Semaphore done;
    Task task{irq_waiter, &probe, &done};
    EXPECT(ctx, start(*process, "ipc-irq", task, sched::ANY_CPU));
    // Only once the thread waits (line unmasked) is the interrupt started: exactly one edge.
    bool waiting = wait_until([&] { return (*line)->state() == object::IrqState::Waiting; }, 5);
    EXPECT(ctx, waiting);
    uint64_t started = cpu::rdtsc();
    x86_64::pit::start_channel0_one_shot(11932); // 10 ms
    bool woke = wait_until([&] { return probe.finished.load(std::memory_order_acquire); }, 5);
    EXPECT(ctx, woke);
    if (!woke)
        return;
    done.down();
    EXPECT(ctx, probe.without_read == error_code(Error::MissingRights));
    EXPECT(ctx, probe.waited == 0);
    uint64_t delivered = irq::delivered(gsi) - delivered_before;
    EXPECT(ctx, delivered == 1);
    EXPECT(ctx, probe.handling_as_holder);
    // The holder's thread has ended: the kernel released the line for the next holder.
    EXPECT(ctx, wait_until([&] { return (*line)->state() == object::IrqState::Idle; }, 5));
    uint64_t us = (probe.woke_at - started) * 1000000 / (tsc_hz() ? tsc_hz() : 1);
    kprintln("selftest ipc: ISA IRQ 0 (GSI {}) woke the thread waiting on its IrqLine, {} "
             "interrupt(s), {} us after the 10 ms one-shot started", gsi, delivered, us);
}

} // namespace kernel::test::ipc_test
