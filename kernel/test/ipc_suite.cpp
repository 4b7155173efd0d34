// test=ipc: synchronous IPC between kernel threads in separate test processes, through the
// invocation path a syscall takes (kernel/test/kernel_calls.h). Ping-pong on one
// CPU and across CPUs, many senders on one endpoint, rights and lookup errors, a capability
// carried by a message and revoked again, and an interrupt delivered through an IrqLine.
#include <atomic>
#include <bit>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/cap/cnode.h"
#include "kernel/test/kernel_calls.h"
#include "kernel/object/endpoint.h"
#include "kernel/sched/scheduler.h"
#include "kernel/test/ipc_test_support.h"
#include "kernel/test/suites.h"

namespace kernel::test {

namespace {

using namespace ipc_test;
using mnos::CapSlot;
using mnos::IpcMessage;
using mnos::Rights;

constexpr CapSlot ENDPOINT_SLOT{0};

// Two processes sharing one endpoint: the client may send (WRITE), the server receive (READ).
struct Pair {
    lib::RefPtr<object::Process> client, server;
    bool ok = false;
};

Pair new_pair() {
    Pair pair{new_process(), new_process()};
    auto endpoint = object::Endpoint::create();
    if (!pair.client || !pair.server || !endpoint)
        return pair;
    pair.ok = cap::insert(pair.client->cnode(), *endpoint, Rights::Write, ENDPOINT_SLOT) &&
              cap::insert(pair.server->cnode(), *endpoint, Rights::Read, ENDPOINT_SLOT);
    return pair;
}

// ---- ping-pong: call / reply_receive, every payload checked ----

constexpr uint64_t ROUND_TRIPS = 100000;
constexpr uint64_t STOP_LABEL = ~0ull;

// Request and reply carry the sequence number and values derived from it, so a lost,
// repeated, reordered or corrupted message is seen by one side or the other.
IpcMessage request(uint64_t i) {
    IpcMessage m;
    m.label = i;
    m.words[0] = i * 3 + 1;
    m.words[1] = ~i;
    m.words[2] = std::rotl(i, 17) ^ 0x5eed'0000'0000'5eedull;
    return m;
}

IpcMessage answer(uint64_t i) {
    IpcMessage m;
    m.label = i | (1ull << 62);
    m.words[0] = i * 7;
    m.words[1] = i ^ 0xa5a5'a5a5'a5a5'a5a5ull;
    m.words[2] = std::rotl(i, 41) + 1;
    return m;
}

bool same_payload(const IpcMessage& a, const IpcMessage& b) {
    return a.label == b.label && a.words[0] == b.words[0] && a.words[1] == b.words[1] &&
           a.words[2] == b.words[2] && a.transfer.is_none();
}

struct PingPong {
    uint64_t round_trips = ROUND_TRIPS;
    std::atomic<uint32_t> failures{0};
    uint64_t served = 0;
    uint64_t completed = 0;
    uint64_t cycles = 0;
};

void ping_client(void* raw) {
    auto* pp = static_cast<PingPong*>(raw);
    sched::Thread& self = *sched::current();
    uint64_t start = cpu::rdtsc();
    for (uint64_t i = 0; i < pp->round_trips; ++i) {
        IpcMessage m = request(i);
        if (auto r = ipc_call(self, ENDPOINT_SLOT, CapSlot::none(), m); !r) {
            worker_failed(pp->failures, "call failed", error_code(r.error()));
            return;
        }
        if (!same_payload(m, answer(i)))
            worker_failed(pp->failures, "reply corrupted or out of order at", i);
        ++pp->completed;
    }
    pp->cycles = cpu::rdtsc() - start;
    IpcMessage stop;
    stop.label = STOP_LABEL;
    if (!ipc_call(self, ENDPOINT_SLOT, CapSlot::none(), stop))
        worker_failed(pp->failures, "stop call failed", 0);
}

void pong_server(void* raw) {
    auto* pp = static_cast<PingPong*>(raw);
    sched::Thread& self = *sched::current();
    IpcMessage m;
    if (!ipc_receive(self, ENDPOINT_SLOT, CapSlot::none(), m)) {
        worker_failed(pp->failures, "first receive failed", 0);
        return;
    }
    for (uint64_t expected = 0; m.label != STOP_LABEL; ++expected) {
        if (!same_payload(m, request(expected)))
            worker_failed(pp->failures, "request corrupted or out of order at", expected);
        ++pp->served;
        m = answer(m.label);
        if (auto r = ipc_reply_receive(self, ENDPOINT_SLOT, CapSlot::none(), m); !r) {
            worker_failed(pp->failures, "reply_receive failed", error_code(r.error()));
            return;
        }
    }
    if (!ipc_reply(self, IpcMessage{}))
        worker_failed(pp->failures, "reply to stop failed", 0);
}

// Runs `round_trips` checked call/reply round trips; the client's TSC cycles for all of them.
uint64_t run_ping_pong(Context& ctx, uint32_t client_cpu, uint32_t server_cpu,
                       uint64_t round_trips) {
    Pair pair = new_pair();
    EXPECT(ctx, pair.ok);
    if (!pair.ok)
        return 0;
    PingPong pp;
    pp.round_trips = round_trips;
    sched::Semaphore done;
    Task client{ping_client, &pp, &done}, server{pong_server, &pp, &done};
    EXPECT(ctx, start(*pair.server, "ipc-server", server, server_cpu));
    EXPECT(ctx, start(*pair.client, "ipc-client", client, client_cpu));
    done.down();
    done.down();
    EXPECT(ctx, pp.failures.load() == 0);
    EXPECT(ctx, pp.completed == round_trips);
    EXPECT(ctx, pp.served == round_trips);
    return pp.cycles;
}

void ping_pong(Context& ctx, uint32_t client_cpu, uint32_t server_cpu, const char* where) {
    uint64_t cycles = run_ping_pong(ctx, client_cpu, server_cpu, ROUND_TRIPS);
    kprintln("selftest ipc: {} round trips {}, {} cycles each", ROUND_TRIPS, where,
             cycles / ROUND_TRIPS);
}

// ---- many senders on one endpoint ----

constexpr uint32_t SENDERS = 8;
constexpr uint64_t MESSAGES_PER_SENDER = 1000;

struct Sender {
    uint64_t id = 0;
    std::atomic<uint32_t>* failures = nullptr;
};

uint64_t derived(uint64_t id, uint64_t seq) { return id * 1000003 + seq * 7919; }

void many_sender(void* raw) {
    auto* s = static_cast<Sender*>(raw);
    sched::Thread& self = *sched::current();
    for (uint64_t seq = 0; seq < MESSAGES_PER_SENDER; ++seq) {
        IpcMessage m;
        m.label = s->id;
        m.words[0] = seq;
        m.words[1] = derived(s->id, seq);
        m.words[2] = ~derived(s->id, seq);
        if (auto r = ipc_send(self, ENDPOINT_SLOT, m); !r) {
            worker_failed(*s->failures, "send failed", error_code(r.error()));
            return;
        }
    }
}

struct Collector {
    std::atomic<uint32_t> failures{0};
    uint64_t next[SENDERS] = {}; // per sender: the sequence number it must send next
    uint64_t received = 0;
};

void many_receiver(void* raw) {
    auto* c = static_cast<Collector*>(raw);
    sched::Thread& self = *sched::current();
    for (uint64_t n = 0; n < SENDERS * MESSAGES_PER_SENDER; ++n) {
        IpcMessage m;
        if (auto r = ipc_receive(self, ENDPOINT_SLOT, CapSlot::none(), m); !r) {
            worker_failed(c->failures, "receive failed", error_code(r.error()));
            return;
        }
        uint64_t id = m.label, seq = m.words[0];
        if (id >= SENDERS || seq != c->next[id] || m.words[1] != derived(id, seq) ||
            m.words[2] != ~derived(id, seq)) {
            worker_failed(c->failures, "message out of order or corrupted from sender", id);
            continue;
        }
        ++c->next[id];
        ++c->received;
    }
}

void many_senders(Context& ctx) {
    Pair pair = new_pair();
    EXPECT(ctx, pair.ok);
    if (!pair.ok)
        return;
    static Collector collector; // large enough to keep off the test thread's stack
    collector.received = 0;
    sched::Semaphore done;
    Task receiver{many_receiver, &collector, &done};
    Sender senders[SENDERS];
    Task tasks[SENDERS];
    for (uint32_t i = 0; i < SENDERS; ++i) {
        senders[i] = {i, &collector.failures};
        tasks[i] = {many_sender, &senders[i], &done};
        EXPECT(ctx, start(*pair.client, "ipc-sender", tasks[i], sched::ANY_CPU));
    }
    EXPECT(ctx, start(*pair.server, "ipc-collector", receiver, sched::ANY_CPU));
    for (uint32_t i = 0; i < SENDERS + 1; ++i)
        done.down();
    EXPECT(ctx, collector.failures.load() == 0);
    EXPECT(ctx, collector.received == SENDERS * MESSAGES_PER_SENDER);
    bool all_complete = true;
    for (uint64_t next : collector.next)
        all_complete &= next == MESSAGES_PER_SENDER;
    EXPECT(ctx, all_complete);
    kprintln("selftest ipc: {} senders x {} messages on one endpoint, {} received in order",
             SENDERS, MESSAGES_PER_SENDER, collector.received);
}

} // namespace

uint64_t ipc_test::ipc_round_trip_cycles(Context& ctx, uint32_t cpu, uint64_t round_trips) {
    return run_ping_pong(ctx, cpu, cpu, round_trips) / (round_trips ? round_trips : 1);
}

void ipc_suite(Context& ctx) {
    ping_pong(ctx, 0, 0, "on one cpu");
    uint32_t cpus = sched::online_cpus();
    if (cpus >= 2) {
        ping_pong(ctx, 1, 0, "across cpus 1 and 0");
    } else {
        kprintln("selftest ipc: only {} cpu online: the cross-cpu run is a second same-cpu run",
                 cpus);
        ping_pong(ctx, 0, 0, "on one cpu (again)");
    }
    many_senders(ctx);
    rights_suite_part(ctx);
    transfer_suite_part(ctx);
    irq_suite_part(ctx);
}

} // namespace kernel::test
