// System call wrappers (abi/syscall.h has the convention and the table). Every wrapper goes
// through invoke<Syscall::Name>(), which checks against the table at compile time that a call
// on an object is given the capability slot it invokes and a call on nothing is not; each is one
// SYSCALL instruction whose asm names every register the kernel reads or clobbers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/capability.h"
#include "abi/ipc.h"
#include "abi/syscall.h"
#include "lib/result.h"

namespace mnos::sys {

// The raw call: RCX and R11 are clobbered by SYSCALL itself; "memory" because the kernel may
// read or write user memory named by the arguments. Every argument register is an in/out
// operand: the IPC calls return values in them.
inline int64_t raw(Syscall n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                   uint64_t a4 = 0, uint64_t a5 = 0, uint64_t a6 = 0, uint64_t a7 = 0) {
    int64_t result;
    register uint64_t rsi asm("rsi") = a1;
    register uint64_t rdx asm("rdx") = a2;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    register uint64_t r12 asm("r12") = a6;
    register uint64_t r13 asm("r13") = a7;
    asm volatile("syscall"
                 : "=a"(result), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
                   "+r"(r13)
                 : "a"(uint64_t(n)), "D"(a0)
                 : "rcx", "r11", "memory");
    return result;
}

// What some calls return beside RAX, in RSI, RDX and R10.
struct Extra {
    uint64_t rsi = 0, rdx = 0, r10 = 0;
};
inline int64_t raw_extra(Syscall n, uint64_t a0, Extra& out) {
    int64_t result;
    register uint64_t rsi asm("rsi") = 0;
    register uint64_t rdx asm("rdx") = 0;
    register uint64_t r10 asm("r10") = 0;
    asm volatile("syscall"
                 : "=a"(result), "+r"(rsi), "+r"(rdx), "+r"(r10)
                 : "a"(uint64_t(n)), "D"(a0)
                 : "rcx", "r11", "r8", "r9", "memory");
    out = {rsi, rdx, r10};
    return result;
}

inline constexpr const SyscallSpec& spec_of(Syscall n) { return SYSCALL_SPECS[uint64_t(n)]; }

// A call on the capability in `target` (the table says it invokes one).
template <Syscall S, typename... Args> int64_t invoke(CapSlot target, Args... args) {
    static_assert(spec_of(S).invokes != Invokes::Nothing, "this call names no capability");
    return raw(S, target.index(), uint64_t(args)...);
}
// A call on nothing (the table says so).
template <Syscall S, typename... Args> int64_t invoke_unbound(Args... args) {
    static_assert(spec_of(S).invokes == Invokes::Nothing, "this call invokes a capability");
    return raw(S, uint64_t(args)...);
}

inline lib::Result<uint64_t> checked(int64_t r) {
    if (is_error_result(r))
        return lib::fail(result_error(r));
    return uint64_t(r);
}
inline lib::Result<void> to_void(int64_t r) {
    if (is_error_result(r))
        return lib::fail(result_error(r));
    return {};
}
inline lib::Result<CapSlot> to_slot(int64_t r) {
    if (is_error_result(r))
        return lib::fail(result_error(r));
    return CapSlot(uint32_t(r));
}

[[noreturn]] inline void exit(int code) {
    invoke_unbound<Syscall::Exit>(uint64_t(int64_t(code)));
    __builtin_unreachable();
}

// Ends the calling thread alone (WaitThread reports it as Exited with code 0).
[[noreturn]] inline void exit_thread() {
    invoke_unbound<Syscall::ExitThread>();
    __builtin_unreachable();
}

inline lib::Result<uint64_t> debug_log(const char* text, size_t length) {
    return checked(invoke_unbound<Syscall::DebugLog>(reinterpret_cast<uint64_t>(text), length));
}

inline void yield() { invoke_unbound<Syscall::Yield>(); }

// Blocks for at least `milliseconds` (up to an hour; InvalidArgument beyond).
inline lib::Result<void> sleep(uint64_t milliseconds) {
    return to_void(invoke_unbound<Syscall::Sleep>(milliseconds));
}

// ---- IPC: the message travels in RSI (label), RDX, R10, R8 (words), R9 (transferred slot)
// and R12 (its rights) both ways; R13 names the receive window; RAX returns the badge.

// One IPC syscall: `message` goes out in the message registers and, when the kernel delivers a
// message back (Recv, Call, ReplyRecv), comes back in the same registers. Every message register
// is an in/out operand, so the compiler neither assumes it survives nor forgets the result.
inline int64_t ipc_raw(Syscall n, CapSlot endpoint, CapSlot window, IpcMessage& message) {
    int64_t result;
    register uint64_t rsi asm("rsi") = message.label;
    register uint64_t rdx asm("rdx") = message.words[0];
    register uint64_t r10 asm("r10") = message.words[1];
    register uint64_t r8 asm("r8") = message.words[2];
    register uint64_t r9 asm("r9") = message.transfer.index();
    register uint64_t r12 asm("r12") = uint32_t(message.transfer_rights);
    register uint64_t r13 asm("r13") = window.index();
    asm volatile("syscall"
                 : "=a"(result), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
                   "+r"(r13)
                 : "a"(uint64_t(n)), "D"(uint64_t(endpoint.index()))
                 : "rcx", "r11", "memory");
    if (!is_error_result(result) && n != Syscall::Send && n != Syscall::Reply) {
        message.label = rsi;
        message.words[0] = rdx;
        message.words[1] = r10;
        message.words[2] = r8;
        message.transfer = CapSlot(uint32_t(r9));
        message.transfer_rights = Rights(uint32_t(r12));
        message.badge = n == Syscall::Call ? 0 : uint64_t(result);
    }
    return result;
}

// Sends `message` (WRITE on the endpoint; GRANT on message.transfer if it is not none).
inline lib::Result<void> send(CapSlot endpoint, IpcMessage message) {
    return to_void(ipc_raw(Syscall::Send, endpoint, CapSlot::none(), message));
}
// Waits for a message (READ on the endpoint). A transferred capability lands in `accept`
// (CapSlot::none(): refuse transfers); `out.transfer` says where it went, `out.badge` whose
// capability the sender used.
inline lib::Result<void> recv(CapSlot endpoint, CapSlot accept, IpcMessage& out) {
    out = IpcMessage{};
    return to_void(ipc_raw(Syscall::Recv, endpoint, accept, out));
}
// Sends `message` and waits for the reply, which replaces it; a capability in the reply lands
// in `accept`. PeerGone if the server ended without replying.
inline lib::Result<void> call(CapSlot endpoint, IpcMessage& message,
                              CapSlot accept = CapSlot::none()) {
    return to_void(ipc_raw(Syscall::Call, endpoint, accept, message));
}
// Replies with `message` to the last caller and waits for the next request, which replaces it.
inline lib::Result<void> reply_recv(CapSlot endpoint, IpcMessage& message,
                                    CapSlot accept = CapSlot::none()) {
    return to_void(ipc_raw(Syscall::ReplyRecv, endpoint, accept, message));
}
// Replies to the last caller without waiting for another (PeerGone if that caller has gone).
inline lib::Result<void> reply(IpcMessage message) {
    return to_void(ipc_raw(Syscall::Reply, CapSlot::none(), CapSlot::none(), message));
}
// A copy of the endpoint capability `endpoint` (GRANT, unbadged) carrying `badge` (non-zero,
// below BADGE_LIMIT) with `rights`, in a free slot of the caller's CNode.
inline lib::Result<CapSlot> mint(CapSlot endpoint, uint64_t badge, Rights rights) {
    return to_slot(invoke<Syscall::Mint>(endpoint, badge, uint32_t(rights)));
}

// ---- Devices

// Reads `width` (1, 2 or 4) bytes from `port`, which the IoPort capability must cover (READ).
inline lib::Result<uint64_t> port_in(CapSlot io_port, uint16_t port, uint32_t width) {
    return checked(invoke<Syscall::PortIn>(io_port, port, width));
}
// Writes (WRITE on the capability).
inline lib::Result<void> port_out(CapSlot io_port, uint16_t port, uint32_t width,
                                  uint32_t value) {
    return to_void(invoke<Syscall::PortOut>(io_port, port, width, value));
}
// A new IoPort capability for [first, first + count), inside `io_port` (GRANT), with its rights.
inline lib::Result<CapSlot> narrow_ports(CapSlot io_port, uint16_t first, uint32_t count) {
    return to_slot(invoke<Syscall::NarrowPorts>(io_port, first, count));
}
// The IrqLine of ISA IRQ `isa_irq` (WRITE on the IrqControl), with all rights.
inline lib::Result<CapSlot> claim_irq(CapSlot irq_control, uint32_t isa_irq) {
    return to_slot(invoke<Syscall::ClaimIrq>(irq_control, isa_irq));
}
// Blocks until the line fires (READ on the IrqLine).
inline lib::Result<void> wait_irq(CapSlot irq_line) {
    return to_void(invoke<Syscall::WaitIrq>(irq_line));
}

// ---- PCI devices (docs/drivers.md)

// The `index`-th function with these IDs (WRITE on the DeviceControl): its PciDevice.
inline lib::Result<CapSlot> claim_pci_device(CapSlot control, uint16_t vendor, uint16_t device,
                                             uint32_t index) {
    return to_slot(invoke<Syscall::ClaimPciDevice>(control, (uint32_t(vendor) << 16) | device,
                                                   index));
}
// `width` (1, 2, 4) bytes of the device's configuration space at `offset` (READ).
inline lib::Result<uint64_t> pci_config_read(CapSlot device, uint16_t offset, uint32_t width) {
    return checked(invoke<Syscall::PciConfigRead>(device, offset, width));
}
// The command register is all a driver may write (WRITE).
inline lib::Result<void> pci_config_write(CapSlot device, uint16_t offset, uint32_t width,
                                          uint32_t value) {
    return to_void(invoke<Syscall::PciConfigWrite>(device, offset, width, value));
}
// An MmioRegion for `pages` pages at physical `address` inside one of the device's BARs.
inline lib::Result<CapSlot> device_mmio(CapSlot device, uint64_t address, uint64_t pages) {
    return to_slot(invoke<Syscall::DeviceMmio>(device, address, pages));
}
// The IrqLine of MSI-X entry `entry` (or INTx, entry 0, without MSI-X); wait on it with wait_irq.
inline lib::Result<CapSlot> device_irq(CapSlot device, uint32_t entry) {
    return to_slot(invoke<Syscall::DeviceIrq>(device, entry));
}
// The physical address of `frame` for the device's DMA; the frame stays pinned to the device
// until bus mastering is switched off, the process ends or dma_release takes the pin back.
inline lib::Result<uint64_t> dma_address(CapSlot device, CapSlot frame) {
    return checked(invoke<Syscall::DmaAddress>(device, frame.index()));
}
// Lets one pin of the frame at `address` (a dma_address result) go: the device no longer
// reaches it. The frame's pins left; NotFound when none is pinned there.
inline lib::Result<uint64_t> dma_release(CapSlot device, uint64_t address) {
    return checked(invoke<Syscall::DmaRelease>(device, address));
}
// Maps `region` uncached at `address` in `process` (flags: MAP_WRITE or 0; never MAP_EXEC).
inline lib::Result<void> map_mmio(CapSlot process, CapSlot region, uint64_t address,
                                  uint64_t flags) {
    return to_void(invoke<Syscall::MapMmio>(process, region.index(), address, flags));
}

// ---- Notifications

// `bits` (not 0; bits 0..62) are signalled on `notification` (WRITE) once `process` (READ) has
// ended, at once if it has; NoSlot when the process has MAX_WATCHES watches already.
inline lib::Result<void> watch_process(CapSlot process, CapSlot notification, uint64_t bits) {
    return to_void(invoke<Syscall::WatchProcess>(process, notification.index(), bits));
}
// Sets `bits` (not 0; bits 0..62) in the notification (WRITE) and wakes the waiters whose masks they meet.
inline lib::Result<void> signal(CapSlot notification, uint64_t bits) {
    return to_void(invoke<Syscall::Signal>(notification, bits));
}
// Blocks until a bit of `mask` is set (READ); returns those bits and clears them, leaving the
// others for their waiters.
inline lib::Result<uint64_t> wait_notification(CapSlot notification,
                                               uint64_t mask = ~uint64_t(0) >> 1) {
    return checked(invoke<Syscall::WaitNotification>(notification, mask));
}

// ---- Memory budgets: fresh objects

// `pages` zeroed, physically contiguous pages (WRITE on the budget); a MemoryFrame slot.
inline lib::Result<CapSlot> alloc_memory(CapSlot budget, uint64_t pages) {
    return to_slot(invoke<Syscall::AllocMemory>(budget, pages));
}
// A new notification (WRITE on the budget); its slot, with all rights.
inline lib::Result<CapSlot> create_notification(CapSlot budget) {
    return to_slot(invoke<Syscall::CreateNotification>(budget));
}
// A new endpoint (WRITE on the budget); its slot, with all rights.
inline lib::Result<CapSlot> create_endpoint(CapSlot budget) {
    return to_slot(invoke<Syscall::CreateEndpoint>(budget));
}

// A new budget of `pages` pages reserved from `budget` (WRITE), to give a child; the pages
// come back to `budget` when the new one goes.
inline lib::Result<CapSlot> split_budget(CapSlot budget, uint64_t pages) {
    return to_slot(invoke<Syscall::SplitBudget>(budget, pages));
}

// ---- Processes and threads

// A new, empty process called `name` (up to 31 bytes), made from `budget` (WRITE): nothing
// mapped, an empty CNode, no thread; fill it with map_memory and delegate, start it with
// spawn_thread.
inline lib::Result<CapSlot> create_process(CapSlot budget, const char* name, size_t length) {
    return to_slot(
        invoke<Syscall::CreateProcess>(budget, reinterpret_cast<uint64_t>(name), length));
}

// How a thread or a process ended (WaitThread, WaitProcess).
struct ExitStatus {
    ExitReason reason;
    uint64_t code;          // exit code, or the fault's vector
    uint64_t fault_address; // CR2 of a page fault
};

// WaitProcess and WaitThread: the same answer in RSI, RDX, R10.
inline lib::Result<ExitStatus> wait_for_end(Syscall n, CapSlot target) {
    Extra extra;
    TRY(checked(raw_extra(n, target.index(), extra)));
    return ExitStatus{ExitReason(extra.rsi), extra.rdx, extra.r10};
}
// Blocks until the process in `process` (READ) has ended: its last thread gone, its memory
// returned.
inline lib::Result<ExitStatus> wait_process(CapSlot process) {
    static_assert(spec_of(Syscall::WaitProcess).invokes == Invokes::Object);
    return wait_for_end(Syscall::WaitProcess, process);
}
// Ends every thread of the process (WRITE); wait_process says when it is over.
inline lib::Result<void> kill_process(CapSlot process) {
    return to_void(invoke<Syscall::KillProcess>(process));
}

// A new thread in `process` (WRITE) at `entry` with `stack_top` and `argument` in RDI; returns
// its Thread capability (all rights).
inline lib::Result<CapSlot> spawn_thread(CapSlot process, void (*entry)(uint64_t),
                                         void* stack_top, uint64_t argument) {
    return to_slot(invoke<Syscall::SpawnThread>(process, reinterpret_cast<uint64_t>(entry),
                                                reinterpret_cast<uint64_t>(stack_top),
                                                argument));
}
// Maps all of `frame` at `address` in `process` (flags: MAP_WRITE, MAP_EXEC, never both).
inline lib::Result<void> map_memory(CapSlot process, CapSlot frame, uint64_t address,
                                    uint64_t flags) {
    return to_void(invoke<Syscall::MapMemory>(process, frame.index(), address, flags));
}
inline lib::Result<void> unmap_memory(CapSlot process, uint64_t address, uint64_t pages) {
    return to_void(invoke<Syscall::UnmapMemory>(process, address, pages));
}

// Blocks until the thread in `thread` (READ) has ended.
inline lib::Result<ExitStatus> wait_thread(CapSlot thread) {
    static_assert(spec_of(Syscall::WaitThread).invokes == Invokes::Object);
    return wait_for_end(Syscall::WaitThread, thread);
}
// Ends the thread (WRITE) at its next return towards Ring 3.
inline lib::Result<void> kill_thread(CapSlot thread) {
    return to_void(invoke<Syscall::KillThread>(thread));
}

// ---- Capabilities

// Copies `source` (GRANT) into `process`'s CNode (WRITE) with `rights` (narrowing only), at
// `destination` or, for CapSlot::none(), the first free slot. Returns the slot used.
inline lib::Result<CapSlot> delegate(CapSlot source, CapSlot process, CapSlot destination,
                                     Rights rights) {
    return to_slot(invoke<Syscall::Delegate>(source, process.index(), destination.index(),
                                             uint32_t(rights)));
}
inline lib::Result<void> drop_cap(CapSlot slot) {
    return to_void(invoke<Syscall::DropCap>(slot));
}
// Removes every capability derived from `slot` (REVOKE); returns how many.
inline lib::Result<uint64_t> revoke(CapSlot slot) {
    return checked(invoke<Syscall::Revoke>(slot));
}

struct CapDescription {
    CapType type;
    Rights rights;
    uint64_t badge;
    // A MemoryFrame's pages, the pages a MemoryBudget can still give, a Process's id; else 0.
    uint64_t size;
};
// What `slot` holds.
inline lib::Result<CapDescription> inspect(CapSlot slot) {
    static_assert(spec_of(Syscall::Inspect).invokes == Invokes::AnyCapability);
    Extra extra;
    uint64_t type = TRY(checked(raw_extra(Syscall::Inspect, slot.index(), extra)));
    return CapDescription{CapType(type), Rights(uint32_t(extra.rsi)), extra.rdx, extra.r10};
}

} // namespace mnos::sys
