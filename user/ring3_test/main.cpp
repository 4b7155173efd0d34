// The Ring 3 syscall suite: every system call with valid arguments and with each kind of bad one
// (slots out of range and empty, wrong capability types, missing rights, kernel, unmapped and
// non-canonical pointers, zero and huge lengths), checking each exact result. It also starts
// children that fault and goes on once the kernel has ended them. Prints one line per check and
// "ring3 suite: N passed, M failed"; exits with the number of failures.
//
// init starts it from /etc/test/ring3.manifest, so its CNode is: 0 its own Process, 1 its
// MemoryBudget, 2 the name service, 3 IoPort COM1 0x3f8..0x3ff, 4 IrqLine (ISA IRQ 4), 5 the
// initrd's frame; it creates its endpoint itself (slot 6). It starts its children from the
// initrd with libmnos's loader, as init does.
#include <cstdint>

#include "user/libmnos/initrd.h"
#include "user/libmnos/loader.h"
#include "user/libmnos/print.h"
#include "user/libmnos/syscall.h"
#include "user/libmnos/thread.h"

using mnos::CapSlot;
using mnos::Error;
using mnos::IpcMessage;
using mnos::Rights;
using mnos::Syscall;
namespace sys = mnos::sys;

namespace {

constexpr CapSlot SELF{0};
constexpr CapSlot PMM{1}; // the memory budget
constexpr CapSlot COM1{3};
constexpr CapSlot IRQ4{4};
constexpr CapSlot INITRD{5};
constexpr CapSlot ENDPOINT{6};
constexpr uint64_t OUT_OF_RANGE = 64;    // one past the last slot
constexpr uint64_t HUGE_SLOT = 1ull << 40; // must not be truncated into slot 0
constexpr uint64_t EMPTY = 60;           // never filled by this suite

constexpr uint64_t KERNEL_POINTER = 0xffff800000000000;
constexpr uint64_t NON_CANONICAL = 0x0000900000000000;
constexpr uint64_t UNMAPPED = 0x0000600000000000;
// Where the suite maps memory: far from the program image (0x400000) and the stack.
constexpr uint64_t MAP_BASE = 0x0000500000000000;
constexpr uint64_t PAGE = 4096;

int g_passed = 0;
int g_failed = 0;

const char* describe(int64_t r) {
    return mnos::is_error_result(r) ? mnos::error_name(mnos::result_error(r)) : "success";
}

void pass(const char* what) {
    ++g_passed;
    mnos::println("ring3: PASS {}", what);
}

// The call must fail with exactly `expected`.
void expect_error(const char* what, int64_t got, Error expected) {
    if (got == mnos::error_result(expected))
        return pass(what);
    ++g_failed;
    mnos::println("ring3: FAIL {} (got {} = {}, expected {})", what, got, describe(got),
                  mnos::error_name(expected));
}

// The call must succeed; returns the value for later use.
int64_t expect_ok(const char* what, int64_t got) {
    if (!mnos::is_error_result(got)) {
        pass(what);
        return got;
    }
    ++g_failed;
    mnos::println("ring3: FAIL {} (got {}, expected success)", what, describe(got));
    return got;
}

void expect_value(const char* what, uint64_t got, uint64_t expected) {
    if (got == expected)
        return pass(what);
    ++g_failed;
    mnos::println("ring3: FAIL {} (got {:#x}, expected {:#x})", what, got, expected);
}

// R9 (a transfer) and R13 (a receive window) default to none, so an IPC call made this way
// carries no capability.
int64_t call(Syscall n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
             uint64_t a4 = 0, uint64_t a5 = CapSlot::NONE_VALUE, uint64_t a6 = 0,
             uint64_t a7 = CapSlot::NONE_VALUE) {
    return sys::raw(n, a0, a1, a2, a3, a4, a5, a6, a7);
}

// A copy of `source` in the first free slot with only `rights`, for the MissingRights checks.
CapSlot narrowed(CapSlot source, Rights rights) {
    int64_t r = call(Syscall::Delegate, source.index(), SELF.index(), CapSlot::NONE_VALUE,
                     uint32_t(rights));
    expect_ok("delegate a narrowed copy to itself", r);
    return mnos::is_error_result(r) ? CapSlot(uint32_t(EMPTY)) : CapSlot(uint32_t(r));
}

// Whether one byte at `address` is mapped and readable, asked of the kernel: DebugLog reads the
// byte through the page tables and answers BadAddress instead of faulting.
bool readable(uint64_t address) {
    return !mnos::is_error_result(call(Syscall::DebugLog, address, 1));
}

// Starts initrd program `path` with exactly `grants` in its CNode (and, with `give_self`, its
// own Process in slot 0); its Process capability, or the loader's error.
lib::Result<CapSlot> start_program(const char* path, std::span<const mnos::Grant> grants = {},
                                   bool give_self = false) {
    auto image = TRY(mnos::initrd::file(path));
    const char* argv[] = {path};
    mnos::Program program{path, image, argv, {}, PMM, grants, give_self};
    return mnos::spawn(program);
}

int64_t as_result(const lib::Result<CapSlot>& r) {
    return r ? int64_t(r->index()) : mnos::error_result(r.error());
}

uint64_t as_value(const lib::Result<uint64_t>& r) { return r ? *r : ~0ull; }

// The checks every slot-taking syscall shares: slot out of range, huge, empty, wrong type.
void slot_errors(const char* name, Syscall n, CapSlot wrong_type, uint64_t a1 = 0,
                 uint64_t a2 = 0, uint64_t a3 = 0) {
    char what[96];
    auto label = [&](const char* kind) {
        lib::BufferOutput out(what, sizeof what - 1);
        lib::format_to(out, "{}: {}", name, kind);
        what[out.view().length()] = '\0';
        return static_cast<const char*>(what);
    };
    expect_error(label("slot out of range"), call(n, OUT_OF_RANGE, a1, a2, a3), Error::NoSlot);
    expect_error(label("slot above 32 bits"), call(n, HUGE_SLOT, a1, a2, a3), Error::NoSlot);
    expect_error(label("empty slot"), call(n, EMPTY, a1, a2, a3), Error::EmptySlot);
    expect_error(label("wrong capability type"), call(n, wrong_type.index(), a1, a2, a3),
                 Error::WrongType);
}

void test_debug_log_and_yield() {
    static const char text[] = "ring3: debug_log from Ring 3\n";
    expect_value("debug_log returns the length", uint64_t(call(Syscall::DebugLog,
                 reinterpret_cast<uint64_t>(text), sizeof text - 1)), sizeof text - 1);
    expect_error("debug_log: kernel pointer", call(Syscall::DebugLog, KERNEL_POINTER, 8),
                 Error::BadAddress);
    expect_error("debug_log: non-canonical pointer", call(Syscall::DebugLog, NON_CANONICAL, 8),
                 Error::BadAddress);
    expect_error("debug_log: unmapped pointer", call(Syscall::DebugLog, UNMAPPED, 8),
                 Error::BadAddress);
    expect_error("debug_log: null pointer", call(Syscall::DebugLog, 0, 8), Error::BadAddress);
    expect_error("debug_log: huge length",
                 call(Syscall::DebugLog, reinterpret_cast<uint64_t>(text), ~0ull),
                 Error::InvalidArgument);
    expect_error("debug_log: text crossing the end of the user half",
                 call(Syscall::DebugLog, mnos::USER_END - 4, 8), Error::BadAddress);
    expect_value("yield returns 0", uint64_t(call(Syscall::Yield)), 0);
    // A line that pretends to be the kernel's: the boot test sees it behind this process's
    // prefix, with the control character escaped, and never at the start of a line.
    static const char forged[] = "ring3: forging\nKERNEL PANIC: forged by ring3\x07\n";
    expect_value("debug_log: several lines at once",
                 uint64_t(call(Syscall::DebugLog, reinterpret_cast<uint64_t>(forged),
                               sizeof forged - 1)),
                 sizeof forged - 1);
}

// The syscall entry saves only the registers the calls read or write (syscall_entry.S): RBX,
// RBP, R14 and R15 survive because the kernel's C++ preserves them, also across a switch to
// another thread (Sleep always blocks). RDI, the first argument, comes back unchanged too.
void test_callee_saved_registers_survive(const char* what, Syscall number, uint64_t argument) {
    static constexpr uint64_t PATTERN[4] = {0x0123456789abcdef, 0x1122334455667788,
                                            0x8877665544332211, 0xfedcba9876543210};
    uint64_t seen[6] = {}; // rbx, rbp, r14, r15 after the call, rdi after it, our own rbp
    uint64_t rax = uint64_t(number);
    uint64_t rdi = argument;
    register uint64_t* out asm("r12") = seen;
    const uint64_t* pattern = PATTERN;
    // R12 carries the array through the call (the kernel restores it from the frame). RBP is
    // the frame pointer here: kept in seen[5] and put back before anything else uses it. The
    // rest the call may change is in the clobbers; no stack is touched (no red-zone hazard).
    asm volatile("mov %%rbp, 40(%%r12)\n\t"
                 "mov 0(%[pattern]), %%rbx\n\t"
                 "mov 8(%[pattern]), %%rbp\n\t"
                 "mov 16(%[pattern]), %%r14\n\t"
                 "mov 24(%[pattern]), %%r15\n\t"
                 "syscall\n\t"
                 "mov %%rbx, 0(%%r12)\n\t"
                 "mov %%rbp, 8(%%r12)\n\t"
                 "mov %%r14, 16(%%r12)\n\t"
                 "mov %%r15, 24(%%r12)\n\t"
                 "mov %%rdi, 32(%%r12)\n\t"
                 "mov 40(%%r12), %%rbp"
                 : "+a"(rax), "+D"(rdi), [pattern] "+S"(pattern)
                 : "r"(out)
                 : "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r13", "r14", "r15", "memory");
    bool same = seen[0] == PATTERN[0] && seen[1] == PATTERN[1] && seen[2] == PATTERN[2] &&
                seen[3] == PATTERN[3] && seen[4] == argument;
    expect_value(what, same ? 1 : 0, 1);
}

void test_ports() {
    // The UART's scratch register (base + 7) holds any byte and affects nothing.
    expect_ok("port_out to the COM1 scratch register", call(Syscall::PortOut, COM1.index(),
              0x3ff, 1, 0x5a));
    expect_value("port_in reads the scratch byte back",
                 uint64_t(call(Syscall::PortIn, COM1.index(), 0x3ff, 1)), 0x5a);
    expect_error("port_in: port outside the range", call(Syscall::PortIn, COM1.index(), 0x60, 1),
                 Error::InvalidArgument);
    expect_error("port_in: width 3", call(Syscall::PortIn, COM1.index(), 0x3f8, 3),
                 Error::InvalidArgument);
    expect_error("port_in: 4 bytes past the range end",
                 call(Syscall::PortIn, COM1.index(), 0x3fe, 4), Error::InvalidArgument);
    slot_errors("port_in", Syscall::PortIn, PMM, 0x3f8, 1);
    slot_errors("port_out", Syscall::PortOut, ENDPOINT, 0x3ff, 1, 0);
    CapSlot read_only = narrowed(COM1, Rights::Read);
    expect_error("port_out without WRITE", call(Syscall::PortOut, read_only.index(), 0x3ff, 1, 1),
                 Error::MissingRights);
    CapSlot write_only = narrowed(COM1, Rights::Write);
    expect_error("port_in without READ", call(Syscall::PortIn, write_only.index(), 0x3ff, 1),
                 Error::MissingRights);
    // WaitIrq with a valid line would block until COM1 interrupts, which the kernel's own serial
    // driver controls; only the failures are exercised.
    slot_errors("wait_irq", Syscall::WaitIrq, COM1);
    CapSlot no_rights = narrowed(IRQ4, Rights::None);
    expect_error("wait_irq without READ", call(Syscall::WaitIrq, no_rights.index()),
                 Error::MissingRights);
    (void)sys::drop_cap(read_only);
    (void)sys::drop_cap(write_only);
    (void)sys::drop_cap(no_rights);
}

// ---- IPC, with a second thread of this process as the partner.

IpcMessage g_received;
volatile bool g_partner_ready = false;
// Send returns once the message is handed over, which may be before the partner has run
// again to store it: the suite waits for this before it looks at g_received.
volatile bool g_received_stored = false;

[[noreturn]] void partner(uint64_t endpoint) {
    g_partner_ready = true;
    CapSlot ep{uint32_t(endpoint)};
    // 1: the suite's Send.
    if (!sys::recv(ep, CapSlot::none(), g_received))
        g_received.label = ~0ull;
    g_received_stored = true;
    // 2: the suite's Call, answered with label+1 and each word doubled.
    IpcMessage request;
    if (!sys::recv(ep, CapSlot::none(), request))
        request.label = ~0ull;
    IpcMessage reply;
    reply.label = request.label + 1;
    for (uint32_t i = 0; i < mnos::IPC_MESSAGE_WORDS; ++i)
        reply.words[i] = request.words[i] * 2;
    // 3: the reply goes out, and the suite's last Send comes in. Then this thread only yields:
    // it ends on its next kernel entry once the main thread has exited the process (a thread
    // blocked in IPC for good would keep the process from ever finishing).
    (void)sys::reply_recv(ep, reply);
    for (;;)
        sys::yield();
}

void test_ipc_and_threads() {
    // A stack for the partner: a fresh frame mapped read+write.
    auto stack = sys::alloc_memory(PMM, 4);
    expect_ok("alloc_memory: 4-page stack", stack ? 0 : mnos::error_result(stack.error()));
    if (!stack)
        return;
    uint64_t stack_base = MAP_BASE + 0x100000;
    expect_ok("map_memory: the partner's stack",
              call(Syscall::MapMemory, SELF.index(), stack->index(), stack_base, mnos::MAP_WRITE));
    // Less 8: the partner starts like a function just called, its return address slot below a
    // 16-byte boundary, which is what the compiler's aligned stack accesses assume.
    uint64_t stack_top = stack_base + 4 * PAGE - 8;

    uint64_t entry = reinterpret_cast<uint64_t>(&partner);
    expect_error("spawn_thread: kernel entry",
                 call(Syscall::SpawnThread, SELF.index(), KERNEL_POINTER, stack_top, 0),
                 Error::BadAddress);
    expect_error("spawn_thread: non-canonical stack",
                 call(Syscall::SpawnThread, SELF.index(), entry, NON_CANONICAL, 0),
                 Error::BadAddress);
    slot_errors("spawn_thread", Syscall::SpawnThread, PMM, entry, stack_top, 0);
    CapSlot read_only_self = narrowed(SELF, Rights::Read);
    expect_error("spawn_thread without WRITE on the process",
                 call(Syscall::SpawnThread, read_only_self.index(), entry, stack_top, 0),
                 Error::MissingRights);
    (void)sys::drop_cap(read_only_self);

    // Failures first: none of them may block.
    IpcMessage message;
    slot_errors("send", Syscall::Send, PMM);
    slot_errors("recv", Syscall::Recv, COM1, CapSlot::NONE_VALUE);
    slot_errors("call", Syscall::Call, IRQ4);
    slot_errors("reply_recv", Syscall::ReplyRecv, SELF);
    CapSlot receive_only = narrowed(ENDPOINT, Rights::Read);
    expect_error("send without WRITE", call(Syscall::Send, receive_only.index()),
                 Error::MissingRights);
    CapSlot send_only = narrowed(ENDPOINT, Rights::Write);
    expect_error("recv without READ",
                 call(Syscall::Recv, send_only.index(), CapSlot::NONE_VALUE),
                 Error::MissingRights);
    (void)sys::drop_cap(receive_only);
    (void)sys::drop_cap(send_only);

    int64_t thread = call(Syscall::SpawnThread, SELF.index(), entry, stack_top, ENDPOINT.index());
    expect_ok("spawn_thread: the IPC partner", thread);
    if (mnos::is_error_result(thread))
        return;
    message.label = 0x51;
    message.words[0] = 1;
    message.words[1] = 2;
    message.words[2] = 3;
    auto sent = sys::send(ENDPOINT, message);
    expect_ok("send to the partner", sent ? 0 : mnos::error_result(sent.error()));
    expect_value("the partner thread ran", g_partner_ready, 1);
    for (int i = 0; i < 10000 && !g_received_stored; ++i)
        sys::yield();
    expect_value("the partner stored what it received", g_received_stored, 1);
    expect_value("recv: label arrived", g_received.label, 0x51);
    expect_value("recv: word 2 arrived", g_received.words[2], 3);

    IpcMessage request;
    request.label = 0x70;
    request.words[0] = 10;
    request.words[1] = 20;
    request.words[2] = 30;
    auto called = sys::call(ENDPOINT, request);
    expect_ok("call the partner", called ? 0 : mnos::error_result(called.error()));
    expect_value("call: reply label in RSI", request.label, 0x71);
    expect_value("call: reply word 0 in RDX", request.words[0], 20);
    expect_value("call: reply word 1 in R10", request.words[1], 40);
    expect_value("call: reply word 2 in R8", request.words[2], 60);
    expect_value("call: no capability in R9", request.transfer.is_none(), 1);
    IpcMessage last;
    auto finished = sys::send(ENDPOINT, last);
    expect_ok("send: the partner's last message",
              finished ? 0 : mnos::error_result(finished.error()));
}

void test_memory() {
    auto fail_value = [](auto& r) { return r ? 0 : mnos::error_result(r.error()); };
    slot_errors("alloc_memory", Syscall::AllocMemory, SELF, 1);
    expect_error("alloc_memory: 0 pages", call(Syscall::AllocMemory, PMM.index(), 0),
                 Error::InvalidArgument);
    expect_error("alloc_memory: 2^40 pages", call(Syscall::AllocMemory, PMM.index(), 1ull << 40),
                 Error::InvalidArgument);
    // 256 MiB, the most one call may ask for, on a 256 MiB machine: cannot fit.
    expect_error("alloc_memory: more than the machine has",
                 call(Syscall::AllocMemory, PMM.index(), 65536), Error::OutOfMemory);
    CapSlot read_pmm = narrowed(PMM, Rights::Read);
    expect_error("alloc_memory without WRITE", call(Syscall::AllocMemory, read_pmm.index(), 1),
                 Error::MissingRights);
    (void)sys::drop_cap(read_pmm);

    auto frame = sys::alloc_memory(PMM, 2);
    expect_ok("alloc_memory: 2 pages", fail_value(frame));
    if (!frame)
        return;
    uint64_t a = MAP_BASE;
    uint64_t f = frame->index();
    // Argument checks, each of which must leave nothing mapped.
    expect_error("map_memory: writable and executable",
                 call(Syscall::MapMemory, SELF.index(), f, a, mnos::MAP_WRITE | mnos::MAP_EXEC),
                 Error::InvalidArgument);
    expect_error("map_memory: unknown flag", call(Syscall::MapMemory, SELF.index(), f, a, 4),
                 Error::InvalidArgument);
    expect_error("map_memory: unaligned address",
                 call(Syscall::MapMemory, SELF.index(), f, a + 8, 0), Error::InvalidArgument);
    expect_error("map_memory: kernel address",
                 call(Syscall::MapMemory, SELF.index(), f, KERNEL_POINTER, 0), Error::BadAddress);
    expect_error("map_memory: non-canonical address",
                 call(Syscall::MapMemory, SELF.index(), f, NON_CANONICAL, 0), Error::BadAddress);
    expect_error("map_memory: runs past the user half",
                 call(Syscall::MapMemory, SELF.index(), f, mnos::USER_END - PAGE, 0),
                 Error::BadAddress);
    expect_error("map_memory: page 0", call(Syscall::MapMemory, SELF.index(), f, 0, 0),
                 Error::BadAddress);
    slot_errors("map_memory (process)", Syscall::MapMemory, PMM, f, a, 0);
    expect_error("map_memory: frame slot empty",
                 call(Syscall::MapMemory, SELF.index(), EMPTY, a, 0), Error::EmptySlot);
    expect_error("map_memory: frame slot of another type",
                 call(Syscall::MapMemory, SELF.index(), ENDPOINT.index(), a, 0), Error::WrongType);
    CapSlot read_self = narrowed(SELF, Rights::Read | Rights::Grant);
    expect_error("map_memory without WRITE on the process",
                 call(Syscall::MapMemory, read_self.index(), f, a, 0), Error::MissingRights);
    CapSlot read_frame = narrowed(*frame, Rights::Read);
    expect_error("map_memory writable from a read-only frame",
                 call(Syscall::MapMemory, SELF.index(), read_frame.index(), a, mnos::MAP_WRITE),
                 Error::MissingRights);
    expect_error("map_memory executable without EXEC",
                 call(Syscall::MapMemory, SELF.index(), read_frame.index(), a, mnos::MAP_EXEC),
                 Error::MissingRights);
    expect_value("nothing mapped after the failed maps", readable(a) || readable(a + PAGE), 0);

    expect_ok("map_memory: 2 pages read+write",
              call(Syscall::MapMemory, SELF.index(), f, a, mnos::MAP_WRITE));
    // Sound: the MapMemory above just mapped [a, a + 2 pages) read+write in this process.
    volatile uint64_t* words = reinterpret_cast<volatile uint64_t*>(a);
    expect_value("fresh memory is zeroed", words[0] | words[PAGE / 8 + 7], 0);
    words[0] = 0x1234567890abcdef;
    words[PAGE / 8] = 42;
    expect_value("mapped memory holds a write", words[0], 0x1234567890abcdef);
    expect_error("map_memory: the same place again",
                 call(Syscall::MapMemory, SELF.index(), f, a, 0), Error::Exists);
    expect_error("map_memory: overlapping the last page",
                 call(Syscall::MapMemory, SELF.index(), f, a + PAGE, 0), Error::Exists);
    expect_value("a refused overlap maps nothing", readable(a + 2 * PAGE), 0);
    // Read-only and read+execute mappings of the same frame elsewhere.
    uint64_t b = MAP_BASE + 0x10000;
    expect_ok("map_memory: read-only copy of the frame",
              call(Syscall::MapMemory, SELF.index(), read_frame.index(), b, 0));
    // Sound: mapped read-only just above; reads only.
    expect_value("the second mapping shows the same memory",
                 *reinterpret_cast<volatile uint64_t*>(b), 0x1234567890abcdef);
    uint64_t c = MAP_BASE + 0x20000;
    expect_ok("map_memory: read+execute",
              call(Syscall::MapMemory, SELF.index(), f, c, mnos::MAP_EXEC));

    // Dropping the capability must not free mapped memory: if it did, the next allocation could
    // get the same page back, zeroed, under our still-live mapping.
    (void)sys::drop_cap(read_frame);
    expect_ok("drop_cap of a mapped frame", call(Syscall::DropCap, f));
    auto other = sys::alloc_memory(PMM, 2);
    expect_ok("alloc_memory after the drop", fail_value(other));
    expect_value("mapped memory survives dropping its capability", words[0],
                 0x1234567890abcdef);

    // Unmapping.
    expect_error("unmap_memory: 0 pages", call(Syscall::UnmapMemory, SELF.index(), a, 0),
                 Error::InvalidArgument);
    expect_error("unmap_memory: 2^40 pages",
                 call(Syscall::UnmapMemory, SELF.index(), a, 1ull << 40), Error::InvalidArgument);
    expect_error("unmap_memory: unaligned", call(Syscall::UnmapMemory, SELF.index(), a + 1, 1),
                 Error::InvalidArgument);
    expect_error("unmap_memory: kernel address",
                 call(Syscall::UnmapMemory, SELF.index(), KERNEL_POINTER, 1), Error::BadAddress);
    expect_error("unmap_memory: non-canonical",
                 call(Syscall::UnmapMemory, SELF.index(), NON_CANONICAL, 1), Error::BadAddress);
    expect_error("unmap_memory: nothing mapped there",
                 call(Syscall::UnmapMemory, SELF.index(), UNMAPPED, 1), Error::NotFound);
    expect_error("unmap_memory: a range running into a hole",
                 call(Syscall::UnmapMemory, SELF.index(), a, 3), Error::NotFound);
    expect_value("a refused unmap leaves the pages", words[PAGE / 8], 42);
    slot_errors("unmap_memory", Syscall::UnmapMemory, PMM, a, 1);
    expect_error("unmap_memory without WRITE on the process",
                 call(Syscall::UnmapMemory, read_self.index(), a, 1), Error::MissingRights);
    expect_ok("unmap_memory: first page", call(Syscall::UnmapMemory, SELF.index(), a, 1));
    expect_value("the unmapped page is gone", readable(a), 0);
    expect_value("the other page stays", words[PAGE / 8], 42);
    expect_error("unmap_memory: the same page again",
                 call(Syscall::UnmapMemory, SELF.index(), a, 1), Error::NotFound);
    expect_ok("unmap_memory: second page", call(Syscall::UnmapMemory, SELF.index(), a + PAGE, 1));
    expect_ok("unmap_memory: the read-only mapping",
              call(Syscall::UnmapMemory, SELF.index(), b, 2));
    expect_ok("unmap_memory: the executable mapping",
              call(Syscall::UnmapMemory, SELF.index(), c, 2));
    if (other) {
        // The freed frame could be this one now; it must be remappable and zeroed.
        expect_ok("map_memory: a new frame where the old one was",
                  call(Syscall::MapMemory, SELF.index(), other->index(), a, mnos::MAP_WRITE));
        expect_value("a new frame is zeroed", words[0] | words[PAGE / 8], 0);
        (void)sys::unmap_memory(SELF, a, 2);
        (void)sys::drop_cap(*other);
    }
    (void)sys::drop_cap(read_self);
}

void test_capabilities() {
    // Delegate into this process and check the copy's rights are the narrowed ones.
    auto copy = sys::delegate(COM1, SELF, CapSlot(40), Rights::Read | Rights::Grant);
    expect_value("delegate into a named slot", copy ? copy->index() : ~0u, 40);
    expect_error("delegate: destination in use",
                 call(Syscall::Delegate, COM1.index(), SELF.index(), 40, uint32_t(Rights::Read)),
                 Error::SlotInUse);
    expect_error("delegate: destination out of range",
                 call(Syscall::Delegate, COM1.index(), SELF.index(), 64, uint32_t(Rights::Read)),
                 Error::NoSlot);
    expect_error("delegate: widening rights",
                 call(Syscall::Delegate, 40, SELF.index(), CapSlot::NONE_VALUE,
                      uint32_t(Rights::Read | Rights::Write)),
                 Error::MissingRights);
    expect_error("delegate: undefined rights bits",
                 call(Syscall::Delegate, COM1.index(), SELF.index(), CapSlot::NONE_VALUE,
                      1u << 10),
                 Error::InvalidArgument);
    expect_error("delegate: rights above 32 bits",
                 call(Syscall::Delegate, COM1.index(), SELF.index(), CapSlot::NONE_VALUE,
                      1ull << 33),
                 Error::InvalidArgument);
    expect_error("delegate: source out of range",
                 call(Syscall::Delegate, OUT_OF_RANGE, SELF.index(), CapSlot::NONE_VALUE, 0),
                 Error::NoSlot);
    expect_error("delegate: source empty",
                 call(Syscall::Delegate, EMPTY, SELF.index(), CapSlot::NONE_VALUE, 0),
                 Error::EmptySlot);
    expect_error("delegate: target is not a process",
                 call(Syscall::Delegate, COM1.index(), PMM.index(), CapSlot::NONE_VALUE, 0),
                 Error::WrongType);
    CapSlot no_grant = narrowed(COM1, Rights::Read);
    expect_error("delegate without GRANT",
                 call(Syscall::Delegate, no_grant.index(), SELF.index(), CapSlot::NONE_VALUE, 0),
                 Error::MissingRights);
    CapSlot read_self = narrowed(SELF, Rights::Read);
    expect_error("delegate into a process without WRITE",
                 call(Syscall::Delegate, COM1.index(), read_self.index(), CapSlot::NONE_VALUE, 0),
                 Error::MissingRights);
    expect_error("port_out through the read-only copy",
                 call(Syscall::PortOut, 40, 0x3ff, 1, 0), Error::MissingRights);

    // Drop.
    expect_ok("drop_cap", call(Syscall::DropCap, 40));
    expect_error("drop_cap: already empty", call(Syscall::DropCap, 40), Error::EmptySlot);
    expect_error("drop_cap: out of range", call(Syscall::DropCap, OUT_OF_RANGE), Error::NoSlot);
    expect_error("drop_cap: above 32 bits", call(Syscall::DropCap, HUGE_SLOT + 3), Error::NoSlot);

    // Revoke: three copies of the endpoint (one a copy of a copy) go, the original stays.
    auto first = sys::delegate(ENDPOINT, SELF, CapSlot::none(), Rights::All);
    CapSlot second = first ? narrowed(*first, Rights::Read | Rights::Grant) : CapSlot(EMPTY);
    CapSlot third = narrowed(ENDPOINT, Rights::Write);
    expect_value("revoke counts the copies removed", uint64_t(call(Syscall::Revoke,
                 ENDPOINT.index())), 3);
    expect_error("revoked copy is gone", call(Syscall::DropCap, second.index()), Error::EmptySlot);
    expect_error("revoked copy of a copy is gone", call(Syscall::DropCap, third.index()),
                 Error::EmptySlot);
    expect_value("revoke with no copies removes none",
                 uint64_t(call(Syscall::Revoke, ENDPOINT.index())), 0);
    CapSlot no_revoke = narrowed(ENDPOINT, Rights::Read);
    expect_error("revoke without REVOKE", call(Syscall::Revoke, no_revoke.index()),
                 Error::MissingRights);
    expect_error("revoke: out of range", call(Syscall::Revoke, OUT_OF_RANGE), Error::NoSlot);
    expect_error("revoke: empty", call(Syscall::Revoke, EMPTY), Error::EmptySlot);
    (void)sys::drop_cap(no_revoke);
    (void)sys::drop_cap(no_grant);
    (void)sys::drop_cap(read_self);
}

void test_processes() {
    static const char hello[] = "/bin/hello";
    auto path = [](const char* p) { return reinterpret_cast<uint64_t>(p); };
    expect_error("create_process: zero length",
                 call(Syscall::CreateProcess, PMM.index(), path(hello), 0), Error::InvalidArgument);
    expect_error("create_process: huge length",
                 call(Syscall::CreateProcess, PMM.index(), path(hello), 1ull << 40),
                 Error::InvalidArgument);
    expect_error("create_process: kernel pointer",
                 call(Syscall::CreateProcess, PMM.index(), KERNEL_POINTER, 8), Error::BadAddress);
    expect_error("create_process: non-canonical pointer",
                 call(Syscall::CreateProcess, PMM.index(), NON_CANONICAL, 8), Error::BadAddress);
    expect_error("create_process: unmapped pointer",
                 call(Syscall::CreateProcess, PMM.index(), UNMAPPED, 8), Error::BadAddress);
    expect_error("spawn: no such program", as_result(start_program("/bin/no-such-program")),
                 Error::NotFound);
    // Not an ELF file: the loader (lib/elf in Ring 3) refuses it and nothing is left behind.
    expect_error("spawn: a malformed program", as_result(start_program("/bin/malformed")),
                 Error::Malformed);
    int64_t child = as_result(start_program(hello));
    expect_ok("spawn: /bin/hello", child);
    if (!mnos::is_error_result(child)) {
        auto end = sys::wait_process(CapSlot(uint32_t(child)));
        expect_value("wait_process: hello exited", end ? uint64_t(end->reason) : ~0ull,
                     uint64_t(mnos::ExitReason::Exited));
        expect_value("wait_process: with hello's code (its argc)", end ? end->code : ~0ull, 1);
        (void)sys::drop_cap(CapSlot(uint32_t(child)));
    }

    // Children that fault: the kernel ends each (and logs why); this suite carries on, and
    // WaitProcess reports each fault with its vector (and, for the page fault, the address).
    struct Faulter {
        const char* path;
        uint64_t vector;
    };
    static const Faulter faulters[] = {{"/bin/ring3_fault_null", 14},
                                       {"/bin/ring3_fault_ud2", 6},
                                       {"/bin/ring3_fault_divide", 0},
                                       {"/bin/ring3_fault_sidt", 13}};
    // The first child is watched too: its end signals a notification (WatchProcess).
    auto watch = sys::create_notification(PMM);
    expect_ok("create a notification to watch a child with",
              watch ? 0 : mnos::error_result(watch.error()));
    bool watched = false;
    for (const Faulter& faulter : faulters) {
        int64_t slot = as_result(start_program(faulter.path));
        expect_ok(faulter.path, slot);
        if (mnos::is_error_result(slot))
            continue;
        CapSlot process{uint32_t(slot)};
        if (watch && !watched) {
            watched = true;
            expect_error("watch_process with no bits",
                         call(Syscall::WatchProcess, process.index(), watch->index(), 0),
                         Error::InvalidArgument);
            CapSlot read_only = narrowed(*watch, Rights::Read);
            expect_error("watch_process without WRITE on the notification",
                         call(Syscall::WatchProcess, process.index(), read_only.index(), 1),
                         Error::MissingRights);
            (void)sys::drop_cap(read_only);
            expect_ok("watch_process on a running child",
                      sys::watch_process(process, *watch, 0x4) ? 0 : -1);
            expect_value("its end signals the watch's bits",
                         as_value(sys::wait_notification(*watch)), 0x4);
            expect_ok("watch_process on an ended child",
                      sys::watch_process(process, *watch, 0x8) ? 0 : -1);
            expect_value("a watch of an ended process is signalled at once",
                         as_value(sys::wait_notification(*watch)), 0x8);
        }
        auto end = sys::wait_process(process);
        expect_value("wait_process: the child faulted", end ? uint64_t(end->reason) : ~0ull,
                     uint64_t(mnos::ExitReason::Faulted));
        expect_value("wait_process: with the fault's vector", end ? end->code : ~0ull,
                     faulter.vector);
        if (faulter.vector == 14)
            expect_value("wait_process: and the address", end ? end->fault_address : ~0ull, 0);
        expect_error("the faulting child was ended",
                     call(Syscall::UnmapMemory, process.index(), UNMAPPED, 1),
                     Error::InvalidArgument);
        (void)sys::drop_cap(process);
    }
    if (watch)
        (void)sys::drop_cap(*watch);

    // A child that spins in Ring 3 and never enters the kernel: a kill ends it from outside,
    // and nothing can be put into it afterwards.
    static const char spin[] = "/bin/ring3_spin";
    int64_t spinner = as_result(start_program(spin));
    expect_ok("spawn: /bin/ring3_spin", spinner);
    if (!mnos::is_error_result(spinner)) {
        CapSlot process{uint32_t(spinner)};
        expect_error("wait_process: not on itself", call(Syscall::WaitProcess, SELF.index()),
                     Error::InvalidArgument);
        // The capability names the child: delegating into it needs its WRITE, which we have.
        expect_ok("delegate into a running child",
                  call(Syscall::Delegate, ENDPOINT.index(), process.index(), CapSlot::NONE_VALUE,
                       uint32_t(Rights::Read)));
        CapSlot read_only = narrowed(process, Rights::Read);
        expect_error("kill_process without WRITE",
                     call(Syscall::KillProcess, read_only.index()), Error::MissingRights);
        (void)sys::drop_cap(read_only);
        expect_ok("kill_process", call(Syscall::KillProcess, process.index()));
        auto end = sys::wait_process(process);
        expect_value("wait_process: the spinner was killed", end ? uint64_t(end->reason) : ~0ull,
                     uint64_t(mnos::ExitReason::Killed));
        expect_error("delegate into an ended process",
                     call(Syscall::Delegate, ENDPOINT.index(), process.index(),
                          CapSlot::NONE_VALUE, uint32_t(Rights::Read)),
                     Error::InvalidArgument);
        auto frame = sys::alloc_memory(PMM, 1);
        if (frame) {
            expect_error("map_memory into an ended process",
                         call(Syscall::MapMemory, process.index(), frame->index(), MAP_BASE, 0),
                         Error::InvalidArgument);
            (void)sys::drop_cap(*frame);
        }
        expect_error("spawn_thread in an ended process",
                     call(Syscall::SpawnThread, process.index(), 0x400000, MAP_BASE, 0),
                     Error::InvalidArgument);
        expect_ok("kill_process: once more, on the ended process",
                  call(Syscall::KillProcess, process.index()));
        (void)sys::drop_cap(process);
    }
}


// ---- servers: badges, capabilities both ways, a server that ends while a client waits

// A stack for a helper thread: 4 fresh pages mapped read+write at the next free spot.
uint64_t helper_stack() {
    static uint64_t next = MAP_BASE + 0x200000;
    auto frame = sys::alloc_memory(PMM, 4);
    if (!frame || !sys::map_memory(SELF, *frame, next, mnos::MAP_WRITE))
        return 0;
    uint64_t top = next + 4 * PAGE - 8; // as if just called: see test_ipc_and_threads
    next += 8 * PAGE;
    return top;
}

CapSlot spawn_helper(void (*entry)(uint64_t), uint64_t argument) {
    uint64_t top = helper_stack();
    auto thread = top ? sys::spawn_thread(SELF, entry, reinterpret_cast<void*>(top), argument)
                      : lib::Result<CapSlot>(lib::fail(Error::OutOfMemory));
    expect_ok("spawn a helper thread", thread ? 0 : mnos::error_result(thread.error()));
    return thread ? *thread : CapSlot(uint32_t(EMPTY));
}

constexpr uint64_t BADGES[] = {0x1111, 0x2222, 0x3333};
constexpr int CALLS_PER_CLIENT = 50;
CapSlot g_badged[3];
int g_badge_errors = 0; // counted by several threads: __atomic_fetch_add

// Answers every call with the badge it arrived with (label) and the caller's label (word 0).
[[noreturn]] void badge_server(uint64_t endpoint) {
    CapSlot ep{uint32_t(endpoint)};
    IpcMessage m;
    if (!sys::recv(ep, CapSlot::none(), m))
        __atomic_fetch_add(&g_badge_errors, 1, __ATOMIC_RELAXED);
    for (int served = 1;; ++served) {
        IpcMessage answer;
        answer.label = m.badge;
        answer.words[0] = m.label;
        m = answer;
        if (served == 3 * CALLS_PER_CLIENT) {
            (void)sys::reply(m);
            break;
        }
        if (!sys::reply_recv(ep, m))
            __atomic_fetch_add(&g_badge_errors, 1, __ATOMIC_RELAXED);
    }
    sys::exit_thread();
}

[[noreturn]] void badge_client(uint64_t index) {
    for (int i = 0; i < CALLS_PER_CLIENT; ++i) {
        IpcMessage m;
        m.label = index * 1000 + uint64_t(i);
        if (!sys::call(g_badged[index], m) || m.label != BADGES[index] ||
            m.words[0] != index * 1000 + uint64_t(i))
            __atomic_fetch_add(&g_badge_errors, 1, __ATOMIC_RELAXED);
    }
    sys::exit_thread();
}

volatile bool g_holding = false;
volatile int64_t g_orphan_result = 0;

// Receives one call and never answers it.
[[noreturn]] void silent_server(uint64_t endpoint) {
    IpcMessage m;
    (void)sys::recv(CapSlot{uint32_t(endpoint)}, CapSlot::none(), m);
    g_holding = true;
    for (;;) {
    }
}

// Receives one call and ends its thread without answering.
[[noreturn]] void quitting_server(uint64_t endpoint) {
    IpcMessage m;
    (void)sys::recv(CapSlot{uint32_t(endpoint)}, CapSlot::none(), m);
    sys::exit_thread();
}

[[noreturn]] void orphan_client(uint64_t endpoint) {
    IpcMessage m;
    m.label = 7;
    auto r = sys::call(CapSlot{uint32_t(endpoint)}, m);
    g_orphan_result = r ? 0 : mnos::error_result(r.error());
    sys::exit_thread();
}

constexpr CapSlot GIFT_WINDOW{50};
constexpr CapSlot RETURN_WINDOW{51};
volatile uint64_t g_gift_type = 0;

// Takes a capability with a call and answers with one of its own.
[[noreturn]] void swap_server(uint64_t endpoint) {
    CapSlot ep{uint32_t(endpoint)};
    IpcMessage m;
    if (sys::recv(ep, GIFT_WINDOW, m) && !m.transfer.is_none())
        if (auto info = sys::inspect(m.transfer))
            g_gift_type = uint64_t(info->type);
    IpcMessage answer;
    auto fresh = sys::create_endpoint(PMM);
    if (fresh) {
        answer.transfer = *fresh;
        answer.transfer_rights = Rights::Read | Rights::Write;
    }
    (void)sys::reply(answer);
    sys::exit_thread();
}

void expect_thread_end(const char* what, CapSlot thread, mnos::ExitReason reason) {
    auto end = sys::wait_thread(thread);
    expect_value(what, end ? uint64_t(end->reason) : ~0ull, uint64_t(reason));
}

void test_servers() {
    // Three clients, three badged copies of one endpoint, one server.
    auto ep = sys::create_endpoint(PMM);
    expect_ok("create_endpoint", ep ? 0 : mnos::error_result(ep.error()));
    if (!ep)
        return;
    for (int i = 0; i < 3; ++i) {
        auto badged = sys::mint(*ep, BADGES[i], Rights::Write);
        expect_ok("mint a badged endpoint", badged ? 0 : mnos::error_result(badged.error()));
        g_badged[i] = badged ? *badged : CapSlot(uint32_t(EMPTY));
        if (auto info = sys::inspect(g_badged[i]))
            expect_value("inspect shows the badge", info->badge, BADGES[i]);
    }
    expect_error("mint: badge 0", call(Syscall::Mint, ep->index(), 0, uint32_t(Rights::Write)),
                 Error::InvalidArgument);
    expect_error("mint: badge of 2^63", call(Syscall::Mint, ep->index(), mnos::BADGE_LIMIT,
                                             uint32_t(Rights::Write)),
                 Error::InvalidArgument);
    expect_error("mint: a badged capability again",
                 call(Syscall::Mint, g_badged[0].index(), 9, uint32_t(Rights::Write)),
                 Error::MissingRights); // the copy has no GRANT
    expect_error("mint: not an endpoint", call(Syscall::Mint, COM1.index(), 9, 0),
                 Error::WrongType);
    CapSlot server = spawn_helper(badge_server, ep->index());
    CapSlot clients[3];
    for (uint64_t i = 0; i < 3; ++i)
        clients[i] = spawn_helper(badge_client, i);
    for (CapSlot client : clients)
        expect_thread_end("a badge client finished", client, mnos::ExitReason::Exited);
    expect_thread_end("the badge server finished", server, mnos::ExitReason::Exited);
    expect_value("every reply carried the caller's own badge", uint64_t(__atomic_load_n(&g_badge_errors, __ATOMIC_RELAXED)), 0);

    // A capability each way of one call.
    CapSlot swap = spawn_helper(swap_server, ep->index());
    IpcMessage gift;
    gift.transfer = COM1;
    gift.transfer_rights = Rights::Read;
    auto swapped = sys::call(*ep, gift, RETURN_WINDOW);
    expect_ok("call with a capability, reply with one",
              swapped ? 0 : mnos::error_result(swapped.error()));
    expect_thread_end("the swap server finished", swap, mnos::ExitReason::Exited);
    expect_value("the server received an io-port", g_gift_type, uint64_t(mnos::CapType::IoPort));
    expect_value("the reply's capability landed in the window", gift.transfer.index(),
                 RETURN_WINDOW.index());
    if (auto info = sys::inspect(RETURN_WINDOW))
        expect_value("it is an endpoint", uint64_t(info->type),
                     uint64_t(mnos::CapType::IpcEndpoint));
    (void)sys::drop_cap(RETURN_WINDOW);
    expect_error("a transfer slot above 32 bits is NoSlot",
                 call(Syscall::Send, ep->index(), 0, 0, 0, 0, HUGE_SLOT + COM1.index()),
                 Error::NoSlot);
    expect_error("a window above 32 bits is NoSlot",
                 call(Syscall::Recv, ep->index(), 0, 0, 0, 0, CapSlot::NONE_VALUE, 0, HUGE_SLOT),
                 Error::NoSlot);

    // A server that ends holding a call: its client gets PeerGone instead of waiting forever.
    CapSlot silent = spawn_helper(silent_server, ep->index());
    CapSlot orphan = spawn_helper(orphan_client, ep->index());
    while (!g_holding)
        sys::yield();
    expect_ok("kill_thread: the server", call(Syscall::KillThread, silent.index()));
    expect_thread_end("wait_thread: the server was killed", silent, mnos::ExitReason::Killed);
    expect_thread_end("the orphaned client returned", orphan, mnos::ExitReason::Exited);
    expect_value("the orphaned client got PeerGone", uint64_t(g_orphan_result),
                 uint64_t(mnos::error_result(Error::PeerGone)));
    // The same with a server that ends its own thread while it owes the reply.
    g_orphan_result = 0;
    CapSlot quitter = spawn_helper(quitting_server, ep->index());
    CapSlot orphan2 = spawn_helper(orphan_client, ep->index());
    expect_thread_end("the quitting server exited", quitter, mnos::ExitReason::Exited);
    expect_thread_end("its client returned", orphan2, mnos::ExitReason::Exited);
    expect_value("the client of a server that exited got PeerGone", uint64_t(g_orphan_result),
                 uint64_t(mnos::error_result(Error::PeerGone)));
    // A server in another process that faults while it holds our call.
    static const char faulting[] = "/bin/ring3_fault_server";
    const mnos::Grant server_grants[] = {{*ep, CapSlot(0), Rights::Read}};
    auto server_process = start_program(faulting, server_grants);
    expect_ok("spawn: /bin/ring3_fault_server", as_result(server_process));
    if (server_process) {
        IpcMessage m;
        m.label = 9;
        auto r = sys::call(*ep, m);
        expect_value("the client of a server that faulted got PeerGone",
                     r ? 0 : uint64_t(r.error()), uint64_t(Error::PeerGone));
        auto end = sys::wait_process(*server_process);
        expect_value("the server faulted", end ? uint64_t(end->reason) : ~0ull,
                     uint64_t(mnos::ExitReason::Faulted));
    }
    if (server_process)
        (void)sys::drop_cap(*server_process);
    slot_errors("wait_thread", Syscall::WaitThread, COM1);
    (void)sys::drop_cap(*ep);
}

// ---- a process whose threads spin, block in Recv and in WaitThread: ended by kill and by exit

void end_siblings(bool by_exit) {
    auto ep = sys::create_endpoint(PMM);
    if (!ep)
        return;
    // Its CNode: 0 itself, 1 a budget, 2 our endpoint to report on (ring3_siblings/main.cpp).
    const mnos::Grant grants[] = {{PMM, CapSlot(1), Rights::All},
                                  {*ep, CapSlot(2), Rights::Write}};
    auto child = start_program("/bin/ring3_siblings", grants, true);
    expect_ok("spawn: /bin/ring3_siblings", as_result(child));
    if (!child) {
        (void)sys::drop_cap(*ep);
        return;
    }
    IpcMessage ready;
    auto got = sys::recv(*ep, CapSlot::none(), ready);
    expect_value("the siblings are set up", got && ready.label == 0x5eed, 1);
    IpcMessage order;
    order.label = by_exit ? 1 : 0;
    (void)sys::reply(order);
    if (!by_exit)
        expect_ok("kill_process: the siblings", call(Syscall::KillProcess, child->index()));
    auto end = sys::wait_process(*child);
    if (by_exit) {
        expect_value("every sibling ended with the exit", end ? uint64_t(end->reason) : ~0ull,
                     uint64_t(mnos::ExitReason::Exited));
        expect_value("with the exit's code", end ? end->code : ~0ull, 7);
    } else {
        expect_value("every sibling ended with the kill", end ? uint64_t(end->reason) : ~0ull,
                     uint64_t(mnos::ExitReason::Killed));
    }
    (void)sys::drop_cap(*child);
    (void)sys::drop_cap(*ep);
}


// ---- a process built from Ring 3: created empty, its code written here, mapped there

void process_from_ring3() {
    static const char name[] = "handmade";
    auto child = sys::create_process(PMM, name, sizeof name - 1);
    expect_ok("create_process: an empty one", child ? 0 : mnos::error_result(child.error()));
    expect_error("create_process: a 40-byte name",
                 call(Syscall::CreateProcess, PMM.index(), reinterpret_cast<uint64_t>(name), 40),
                 Error::InvalidArgument);
    auto frame = sys::alloc_memory(PMM, 1);
    if (!child || !frame)
        return;
    // mov eax, Exit; mov edi, 42; syscall; ud2 (never reached)
    const uint8_t code[] = {0xb8, uint8_t(Syscall::Exit), 0, 0, 0, 0xbf, 42, 0, 0, 0,
                            0x0f, 0x05, 0x0f, 0x0b};
    constexpr uint64_t HERE = MAP_BASE + 0x300000, THERE = 0x400000;
    // Written through a writable mapping here, executed through an executable one there: no
    // page is ever both (W^X holds across processes too).
    expect_ok("map the code page writable here",
              call(Syscall::MapMemory, SELF.index(), frame->index(), HERE, mnos::MAP_WRITE));
    auto* bytes = reinterpret_cast<volatile uint8_t*>(HERE);
    for (size_t i = 0; i < sizeof code; ++i)
        bytes[i] = code[i];
    (void)sys::unmap_memory(SELF, HERE, 1);
    expect_ok("map it executable in the child",
              call(Syscall::MapMemory, child->index(), frame->index(), THERE, mnos::MAP_EXEC));
    expect_ok("spawn_thread: the child's first thread",
              call(Syscall::SpawnThread, child->index(), THERE, THERE + 0x10000, 0));
    auto end = sys::wait_process(*child);
    expect_value("the handmade process exited", end ? uint64_t(end->reason) : ~0ull,
                 uint64_t(mnos::ExitReason::Exited));
    expect_value("with the code its code chose", end ? end->code : ~0ull, 42);
    (void)sys::drop_cap(*frame);
    (void)sys::drop_cap(*child);
}

// ---- a fork bomb stopped by its budget while this process keeps working

void fork_bomb_on_a_budget() {
    constexpr uint64_t BOMB_PAGES = 200;
    auto budget = sys::split_budget(PMM, BOMB_PAGES);
    expect_ok("split_budget: 200 pages", budget ? 0 : mnos::error_result(budget.error()));
    expect_error("split_budget: more than there is",
                 call(Syscall::SplitBudget, budget ? budget->index() : EMPTY, BOMB_PAGES + 1),
                 Error::OutOfMemory);
    expect_error("split_budget: 0 pages", call(Syscall::SplitBudget, PMM.index(), 0),
                 Error::InvalidArgument);
    auto small = budget ? sys::alloc_memory(*budget, BOMB_PAGES + 1) : lib::fail(Error::NoSlot);
    expect_value("alloc_memory beyond the budget is OutOfMemory",
                 !small && small.error() == Error::OutOfMemory, 1);
    auto ep = sys::create_endpoint(PMM);
    if (!budget || !ep)
        return;
    // Its CNode: 0 itself, 1 the small budget, 2 our endpoint, 3 the initrd to load from.
    const mnos::Grant grants[] = {{*budget, CapSlot(1), Rights::All},
                                  {*ep, CapSlot(2), Rights::Write},
                                  {INITRD, CapSlot(3), Rights::Read}};
    auto bomb = start_program("/bin/ring3_forkbomb", grants, true);
    expect_ok("spawn: /bin/ring3_forkbomb", as_result(bomb));
    if (!bomb)
        return;
    // Meanwhile this process goes on drawing on its own budget.
    auto frame = sys::alloc_memory(PMM, 4);
    expect_ok("alloc_memory while the bomb runs", frame ? 0 : mnos::error_result(frame.error()));
    if (frame)
        (void)sys::drop_cap(*frame);
    IpcMessage report;
    auto got = sys::recv(*ep, CapSlot::none(), report);
    mnos::println("ring3: the fork bomb started {} processes before its budget refused ({})",
                  report.label, mnos::error_name(Error(int32_t(report.words[0]))));
    expect_value("the bomb's budget refused with OutOfMemory", got ? report.words[0] : ~0ull,
                 uint64_t(Error::OutOfMemory));
    expect_value("after starting some processes", report.label >= 1 && report.label < 48, 1);
    (void)sys::reply(IpcMessage{});
    auto end = sys::wait_process(*bomb);
    expect_value("the fork bomb exited", end ? uint64_t(end->reason) : ~0ull,
                 uint64_t(mnos::ExitReason::Exited));
    (void)sys::drop_cap(*bomb);
    (void)sys::drop_cap(*ep);
    (void)sys::drop_cap(*budget);
}

} // namespace

// A waiter thread for test_notifications: waits once, records the bits, signals back.
struct NotificationPair {
    CapSlot to_waiter;
    CapSlot to_main;
    volatile uint64_t received = 0;
};

void notification_waiter(void* raw) {
    auto& pair = *static_cast<NotificationPair*>(raw);
    auto bits = sys::wait_notification(pair.to_waiter);
    pair.received = bits ? *bits : ~0ull;
    (void)sys::signal(pair.to_main, 1);
}

// Two waiters on one notification, each for a bit of its own (the virtio-blk driver's workers).
struct MaskedWaiter {
    CapSlot notification;
    uint64_t mask;
    CapSlot done;
    volatile uint64_t received = 0;
};

void masked_waiter(void* raw) {
    auto& w = *static_cast<MaskedWaiter*>(raw);
    auto bits = sys::wait_notification(w.notification, w.mask);
    w.received = bits ? *bits : ~0ull;
    (void)sys::signal(w.done, w.mask);
}

void test_masked_waits(CapSlot notification, CapSlot done) {
    // A masked wait takes only its bits; the others stay for a later wait.
    (void)sys::signal(notification, 0x3);
    expect_value("a masked wait takes only the bits of its mask",
                 as_value(sys::wait_notification(notification, 0x2)), 0x2);
    expect_value("the bits outside the mask stay set",
                 as_value(sys::wait_notification(notification)), 0x1);
    MaskedWaiter low{notification, 0x1, done}, high{notification, 0x2, done};
    auto first = mnos::Thread::start(masked_waiter, &low);
    auto second = mnos::Thread::start(masked_waiter, &high);
    expect_ok("start two masked waiters",
              first && second ? 0 : mnos::error_result(Error::OutOfMemory));
    if (!first || !second)
        return;
    (void)sys::sleep(20); // both block, the low one first in the queue
    // The signal names the second waiter's bit: it must reach that waiter even though the first
    // is ahead of it in the queue.
    (void)sys::signal(notification, 0x2);
    expect_value("a signal wakes the waiter whose mask it meets, not the first in line",
                 as_value(sys::wait_notification(done, 0x2)), 0x2);
    expect_value("the other waiter still waits", low.received, 0);
    (void)sys::signal(notification, 0x1);
    expect_value("its own bit then wakes the other", as_value(sys::wait_notification(done, 0x1)),
                 0x1);
    expect_value("each took exactly its bit", low.received | (high.received << 4), 0x21);
    (void)first->join();
    (void)second->join();
}

void sleep_for_an_hour(void*) { (void)sys::sleep(3'600'000); }
void wait_forever(void* raw) { (void)sys::wait_notification(*static_cast<CapSlot*>(raw)); }

// Starts `body` on a thread, lets it block, kills it and joins it: the join must come back with
// Killed at once, not after the hour the thread sleeps for (the boot test's timeout would end
// the suite first) or never, for a wait nobody signals.
void expect_prompt_kill(const char* what, mnos::Thread::Function body, void* argument) {
    auto thread = mnos::Thread::start(body, argument);
    if (!thread) {
        expect_ok(what, mnos::error_result(thread.error()));
        return;
    }
    (void)sys::sleep(20); // let it block
    (void)sys::kill_thread(thread->capability());
    auto end = thread->join();
    expect_value(what, end ? uint64_t(end->reason) : ~0ull, uint64_t(mnos::ExitReason::Killed));
}

void test_notifications() {
    auto first = sys::create_notification(PMM);
    auto second = sys::create_notification(PMM);
    expect_ok("create_notification", first && second ? 0 : mnos::error_result(Error::OutOfMemory));
    if (!first || !second)
        return;
    slot_errors("signal", Syscall::Signal, PMM, 1);
    slot_errors("wait_notification", Syscall::WaitNotification, ENDPOINT);
    expect_error("signal with no bits", call(Syscall::Signal, first->index(), 0),
                 Error::InvalidArgument);
    // A wait returns its bits in RAX, where bit 63 would read as an error: it is refused.
    expect_error("signal with bit 63", call(Syscall::Signal, first->index(), 1ull << 63),
                 Error::InvalidArgument);
    expect_error("wait_notification for bit 63",
                 call(Syscall::WaitNotification, first->index(), 1ull << 63),
                 Error::InvalidArgument);
    CapSlot read_only = narrowed(*first, Rights::Read);
    expect_error("signal without WRITE", call(Syscall::Signal, read_only.index(), 1),
                 Error::MissingRights);
    (void)sys::drop_cap(read_only);
    CapSlot write_only = narrowed(*first, Rights::Write);
    expect_error("wait_notification without READ",
                 call(Syscall::WaitNotification, write_only.index()), Error::MissingRights);
    (void)sys::drop_cap(write_only);

    // Bits set before the wait are taken at once, all of them, and cleared.
    (void)sys::signal(*first, 0x5);
    (void)sys::signal(*first, 0x30);
    expect_value("a wait takes every bit signalled before it",
                 as_value(sys::wait_notification(*first)), 0x35);

    // A thread blocked in a wait is woken by a signal from another.
    NotificationPair pair{*first, *second};
    auto waiter = mnos::Thread::start(notification_waiter, &pair);
    expect_ok("start the waiting thread", waiter ? 0 : mnos::error_result(waiter.error()));
    if (!waiter)
        return;
    (void)sys::sleep(20);
    expect_value("the waiter is still waiting with no bits set", pair.received, 0);
    (void)sys::signal(*first, 0x80);
    expect_value("its signal back arrives", as_value(sys::wait_notification(*second)), 1);
    expect_value("the waiter was woken with the bits", pair.received, 0x80);
    (void)waiter->join();
    test_masked_waits(*first, *second);

    // Kills end blocked waits at once: a notification nobody signals, and an hour's sleep.
    expect_prompt_kill("a thread waiting on a notification is ended by a kill",
                       wait_forever, &*first);
    expect_prompt_kill("a thread sleeping for an hour is ended by a kill at once",
                       sleep_for_an_hour, nullptr);
    (void)sys::drop_cap(*first);
    (void)sys::drop_cap(*second);
}

int main(int, char**) {
    mnos::println("ring3 suite: start");
    expect_value("its own endpoint goes in the first free slot",
                 as_result(sys::create_endpoint(PMM)), ENDPOINT.index());
    const char* reason = nullptr;
    auto archive = mnos::initrd::map(INITRD, &reason);
    expect_ok("map the initrd it was granted", archive ? 0 : mnos::error_result(archive.error()));
    test_debug_log_and_yield();
    test_callee_saved_registers_survive("registers survive an invalid syscall",
                                        Syscall(mnos::SYSCALL_COUNT), 5);
    test_callee_saved_registers_survive("registers survive a yield", Syscall::Yield, 6);
    test_callee_saved_registers_survive("registers survive a sleep (a switch away)",
                                        Syscall::Sleep, 1);
    test_ports();
    test_memory();
    test_capabilities();
    test_processes();
    test_ipc_and_threads();
    test_servers();
    test_notifications();
    end_siblings(false);
    end_siblings(true);
    fork_bomb_on_a_budget();
    process_from_ring3();
    mnos::println("ring3 suite: {} passed, {} failed", g_passed, g_failed);
    return g_failed;
}
