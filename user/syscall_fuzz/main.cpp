// 100,000 random system calls from a fixed seed: every syscall but Exit, with arguments drawn
// from valid values, edges, and garbage (kernel, unmapped and non-canonical pointers, slots out
// of range, huge counts). The kernel must answer each one and stay up; the program must stay
// alive too, so a few choices are steered away from what would legitimately end or block it
// (see `pick`). Prints "syscall fuzz: 100000 calls, kernel alive" at the end.
#include <cstdint>

#include "user/libmnos/print.h"
#include "user/libmnos/syscall.h"

using mnos::CapSlot;
using mnos::Syscall;

namespace {

constexpr uint64_t CALLS = 100000;
constexpr uint64_t PAGE = 4096;
// Its CNode, from init (/etc/test/fuzz.manifest), and the endpoint it makes itself first.
constexpr uint64_t SELF = 0, PMM = 1, NAME_SERVICE = 2, COM1 = 3, IRQ4 = 4, ENDPOINT = 5,
                   FIRST_FREE = 6;
// Where the fuzzer may map memory: a region of its own, far from its image and stack.
constexpr uint64_t MAP_REGION = 0x0000400000000000;
constexpr uint64_t MAP_REGION_PAGES = 4096;

// xorshift64 (Marsaglia): tiny, deterministic, good enough to spread arguments.
uint64_t g_state = 0x9e3779b97f4a7c15;
uint64_t next() {
    g_state ^= g_state << 13;
    g_state ^= g_state >> 7;
    g_state ^= g_state << 17;
    return g_state;
}
uint64_t below(uint64_t n) { return next() % n; }

char g_buffer[512] = "fuzz";

uint64_t random_pointer() {
    switch (below(8)) {
    case 0: return 0xffff800000000000 + below(1ull << 40);     // kernel half
    case 1: return 0x0000800000000000 + below(1ull << 46);     // non-canonical
    case 2: return 0x0000600000000000 + below(1ull << 30);     // unmapped user half
    case 3: return below(PAGE);                                 // the null page
    case 4: return next();                                      // anything
    case 5: return 0x00007ffffffff000 + below(2 * PAGE);        // the top edge of the user half
    default: return reinterpret_cast<uint64_t>(g_buffer) + below(sizeof g_buffer); // valid
    }
}

uint64_t random_length() {
    switch (below(5)) {
    case 0: return 0;
    case 1: return next();
    case 2: return 1ull << below(64);
    default: return below(64);
    }
}

uint64_t random_slot() {
    switch (below(6)) {
    case 0: return next();                       // garbage, usually above 32 bits
    case 1: return 64 + below(1000);             // just out of range
    case 2: return CapSlot::NONE_VALUE;
    default: return below(mnos::CNODE_SLOTS);    // in range, any type
    }
}

// A slot that is never the one capability whose valid use would block forever or disturb the
// serial log the test reads (see pick()).
uint64_t slot_except(uint64_t avoided) {
    uint64_t slot = random_slot();
    return slot == avoided ? slot + mnos::CNODE_SLOTS : slot;
}

uint64_t random_count() {
    switch (below(4)) {
    case 0: return 0;
    case 1: return next();
    default: return 1 + below(8);
    }
}

uint64_t random_map_address() {
    switch (below(4)) {
    case 0: return random_pointer();
    case 1: return MAP_REGION + below(MAP_REGION_PAGES) * PAGE + (below(8) == 0 ? 1 : 0);
    default: return MAP_REGION + below(MAP_REGION_PAGES) * PAGE;
    }
}

// One random call. Steering, each for a reason:
//  - never Exit, ExitThread or KillProcess (the point is to keep going), never CreateEndpoint, Mint or
//    CreateNotification (a receive on a fresh endpoint or a badged copy of ours, or a wait on
//    a fresh notification, could block for good);
//  - PortOut never to COM1's real ports: the kernel logs through that UART;
//  - Send/Recv/Call/ReplyRecv never on the endpoint, WaitIrq never on the IRQ line: nobody
//    answers, so a valid call would block this only thread for good;
//  - SpawnThread never at a user entry (the thread would run garbage, fault and, as a user
//    fault should, end the whole process);
//  - Delegate never copies COM1, the endpoint or the IRQ line, so the above holds for copies;
//  - UnmapMemory cannot hit the image or stack (only MapMemory mappings are unmappable), and
//    MapMemory never replaces an existing page (Exists), so those are unrestricted;
//  - DropCap and Revoke spare slots 0..4, so later calls still reach valid objects.
int64_t pick() {
    auto call = [](Syscall n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                   uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0, uint64_t a6 = 0,
                   uint64_t a7 = 0) {
        return mnos::sys::raw(n, a0, a1, a2, a3, a4, a5, a6, a7);
    };
    switch (Syscall(below(mnos::SYSCALL_COUNT))) {
    case Syscall::Exit:       // would end the run
    case Syscall::ExitThread:
    case Syscall::KillProcess: // copies of SELF exist
    case Syscall::CreateEndpoint: // a fresh endpoint, or a badged copy of ours, is one a
    case Syscall::Mint:           // receive could block on for good
    case Syscall::CreateNotification: // and so could a wait on a fresh notification
        return call(Syscall::Yield);
    case Syscall::Signal: // no notification ever exists here: every one is refused
        return call(Syscall::Signal, random_slot(), next());
    case Syscall::WaitNotification: return call(Syscall::WaitNotification, random_slot());
    case Syscall::WatchProcess: // on ourselves or nothing; every notification slot is refused
        return call(Syscall::WatchProcess, below(2) ? SELF : random_slot(), random_slot(), next());
    case Syscall::DebugLog:
        return call(Syscall::DebugLog, random_pointer(), random_length() % 64);
    case Syscall::Yield: return call(Syscall::Yield);
    case Syscall::Send:
    case Syscall::Call:
    case Syscall::ReplyRecv:
        return call(Syscall(below(2) ? uint64_t(Syscall::Send) : uint64_t(Syscall::Call)),
                    slot_except(ENDPOINT), next(), next(), next(), next(), next(), next(),
                    next());
    case Syscall::Recv:
        return call(Syscall::Recv, slot_except(ENDPOINT), 0, 0, 0, 0, 0, 0, random_slot());
    case Syscall::Reply:
        return call(Syscall::Reply, next(), next(), next(), next(), next(), next(), next());
    case Syscall::PortIn:
        return call(Syscall::PortIn, random_slot(), 0x3f8 + below(16) - 4, below(6));
    case Syscall::PortOut: {
        uint64_t port = below(0x10000);
        if (port >= 0x3f0 && port < 0x400) // a delegated copy of COM1 must not reach the UART
            port += 0x10;
        return call(Syscall::PortOut, slot_except(COM1), port, below(6), next());
    }
    case Syscall::WaitIrq: return call(Syscall::WaitIrq, slot_except(IRQ4));
    case Syscall::NarrowPorts: // a narrowed copy of COM1 is kept from the UART as above
        return call(Syscall::NarrowPorts, below(2) ? COM1 : random_slot(), below(0x10000),
                    random_length());
    case Syscall::ClaimIrq: // no IrqControl here: every claim is refused
        return call(Syscall::ClaimIrq, random_slot(), below(32));
    // No DeviceControl, PciDevice or MmioRegion ever exists here: every one is refused.
    case Syscall::ClaimPciDevice:
        return call(Syscall::ClaimPciDevice, random_slot(), next(), below(4));
    case Syscall::PciConfigRead:
        return call(Syscall::PciConfigRead, random_slot(), below(512), below(6));
    case Syscall::PciConfigWrite:
        return call(Syscall::PciConfigWrite, random_slot(), below(512), below(6), next());
    case Syscall::DeviceMmio:
        return call(Syscall::DeviceMmio, random_slot(), next(), random_count());
    case Syscall::DeviceIrq: return call(Syscall::DeviceIrq, random_slot(), below(16));
    case Syscall::DmaAddress: return call(Syscall::DmaAddress, random_slot(), random_slot());
    case Syscall::DmaRelease: return call(Syscall::DmaRelease, random_slot(), next());
    case Syscall::MapMmio:
        return call(Syscall::MapMmio, below(2) ? SELF : random_slot(), random_slot(),
                    random_map_address(), below(3));
    case Syscall::Sleep: // a long sleep is refused, a short one returns
        return call(Syscall::Sleep, below(2) ? below(3) : (1ull << 40) + next() % 1000);
    case Syscall::SpawnThread: // the entry is never a user address (copies of SELF exist too)
        return call(Syscall::SpawnThread, random_slot(), random_pointer() | (1ull << 63),
                    random_pointer(), next());
    case Syscall::CreateProcess: // the name is never a user address: a process made here
                                 // would make a later WaitProcess on it block for good
        return call(Syscall::CreateProcess, below(2) ? PMM : random_slot(),
                    random_pointer() | (1ull << 63), random_length());
    case Syscall::SplitBudget:
        return call(Syscall::SplitBudget, below(4) ? PMM : random_slot(), random_count());
    case Syscall::AllocMemory:
        return call(Syscall::AllocMemory, below(4) ? PMM : random_slot(), random_count());
    case Syscall::MapMemory:
        return call(Syscall::MapMemory, below(2) ? SELF : random_slot(), random_slot(),
                    random_map_address(), below(8) ? below(3) : next());
    case Syscall::UnmapMemory:
        return call(Syscall::UnmapMemory, below(2) ? SELF : random_slot(), random_map_address(),
                    random_count());
    case Syscall::WaitThread: // no thread capability ever exists here: every one is refused
        return call(Syscall::WaitThread, random_slot());
    case Syscall::KillThread: return call(Syscall::KillThread, random_slot());
    case Syscall::WaitProcess: // only our own process could be named: refused, never blocks
        return call(Syscall::WaitProcess, random_slot());
    case Syscall::Inspect: return call(Syscall::Inspect, random_slot());
    case Syscall::Delegate: {
        // No copies of COM1, the endpoint or the IRQ line: the steering above only knows
        // their original slots.
        uint64_t source = random_slot();
        if (source == COM1 || source == ENDPOINT || source == IRQ4 || source == NAME_SERVICE)
            source = PMM;
        return call(Syscall::Delegate, source, below(2) ? SELF : random_slot(),
                    random_slot(), below(4) ? below(32) : next());
    }
    case Syscall::DropCap: {
        uint64_t slot = random_slot();
        return call(Syscall::DropCap, slot < FIRST_FREE ? slot + FIRST_FREE : slot);
    }
    case Syscall::Revoke: {
        uint64_t slot = random_slot();
        return call(Syscall::Revoke, slot < FIRST_FREE ? slot + FIRST_FREE : slot);
    }
    }
    return 0;
}

// The random DebugLog calls log text without a newline; one here keeps the next report line a
// line of its own (the boot test matches it from the start of a line).
void end_random_text() { (void)mnos::sys::debug_log("\n", 1); }

} // namespace

int main(int, char**) {
    auto endpoint = mnos::sys::create_endpoint(CapSlot(PMM));
    if (!endpoint || endpoint->index() != ENDPOINT) {
        mnos::println("syscall fuzz: its endpoint is not in slot {}", ENDPOINT);
        return 1;
    }
    uint64_t ok = 0;
    for (uint64_t i = 1; i <= CALLS; ++i) {
        if (!mnos::is_error_result(pick()))
            ++ok;
        // Every so often, start from a clean CNode and address-space region so the calls keep
        // finding free slots and holes (and memory is not hoarded until allocation always fails).
        if (i % 2000 == 0) {
            for (uint32_t slot = FIRST_FREE; slot < mnos::CNODE_SLOTS; ++slot)
                (void)mnos::sys::drop_cap(CapSlot(slot));
            // + 8: frames of up to 8 pages mapped near the end hang over it.
            for (uint64_t page = 0; page < MAP_REGION_PAGES + 8; ++page)
                (void)mnos::sys::unmap_memory(CapSlot(SELF), MAP_REGION + page * PAGE, 1);
        }
        if (i % 10000 == 0) {
            end_random_text();
            mnos::println("syscall fuzz: {} calls, {} succeeded", i, ok);
        }
    }
    end_random_text();
    mnos::println("syscall fuzz: {} calls, kernel alive", CALLS);
    return 0;
}
