// System call wrappers (see abi/syscall.h for the convention). Each wrapper is one SYSCALL
// instruction; the asm names every register the kernel reads or clobbers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/capability.h"
#include "abi/ipc.h"
#include "abi/syscall.h"
#include "lib/result.h"

namespace mnos::sys {

// The raw call: RCX and R11 are clobbered by SYSCALL itself; "memory" because the kernel may
// read or write user memory named by the arguments.
inline int64_t raw(Syscall n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                   uint64_t a4 = 0, uint64_t a5 = 0) {
    int64_t result;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    asm volatile("syscall"
                 : "=a"(result), "+r"(r10), "+r"(r8), "+r"(r9)
                 : "a"(uint64_t(n)), "D"(a0), "S"(a1), "d"(a2)
                 : "rcx", "r11", "memory");
    return result;
}

inline lib::Result<uint64_t> checked(int64_t r) {
    if (is_error_result(r))
        return lib::fail(result_error(r));
    return uint64_t(r);
}

[[noreturn]] inline void exit(int code) {
    raw(Syscall::Exit, uint64_t(code));
    __builtin_unreachable();
}

inline lib::Result<uint64_t> debug_log(const char* text, size_t length) {
    return checked(raw(Syscall::DebugLog, reinterpret_cast<uint64_t>(text), length));
}

inline void yield() { raw(Syscall::Yield); }

// ---- IPC: the message travels in RSI (label), RDX, R10, R8 (words) and R9 (transfer) both ways.

// R9's encoding of a capability transfer: the slot in the low half, the rights in the high half.
inline uint64_t encode_transfer(CapSlot slot, Rights rights) {
    return uint64_t(slot.index()) | uint64_t(uint32_t(rights)) << 32;
}
inline void decode_transfer(uint64_t r9, IpcMessage& message) {
    message.transfer = CapSlot(uint32_t(r9));
    message.transfer_rights = Rights(uint32_t(r9 >> 32));
}

// One IPC syscall: `message` goes out in the message registers and, when the kernel delivers a
// message back (Recv, Call, ReplyRecv), comes back in the same registers. Every message register
// is an in/out operand, so the compiler neither assumes it survives nor forgets the result.
inline int64_t ipc_raw(Syscall n, CapSlot endpoint, IpcMessage& message) {
    int64_t result;
    register uint64_t rsi asm("rsi") = message.label;
    register uint64_t rdx asm("rdx") = message.words[0];
    register uint64_t r10 asm("r10") = message.words[1];
    register uint64_t r8 asm("r8") = message.words[2];
    register uint64_t r9 asm("r9") = encode_transfer(message.transfer, message.transfer_rights);
    asm volatile("syscall"
                 : "=a"(result), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                 : "a"(uint64_t(n)), "D"(uint64_t(endpoint.index()))
                 : "rcx", "r11", "memory");
    if (!is_error_result(result) && n != Syscall::Send) {
        message.label = rsi;
        message.words[0] = rdx;
        message.words[1] = r10;
        message.words[2] = r8;
        decode_transfer(r9, message);
    }
    return result;
}

inline lib::Result<void> to_void(int64_t r) {
    if (is_error_result(r))
        return lib::fail(result_error(r));
    return {};
}

// Sends `message` (WRITE on the endpoint; GRANT on message.transfer if it is not none).
inline lib::Result<void> send(CapSlot endpoint, IpcMessage message) {
    return to_void(ipc_raw(Syscall::Send, endpoint, message));
}
// Waits for a message (READ on the endpoint). A transferred capability lands in `accept`
// (CapSlot::none(): refuse transfers), which travels in R9 like a transfer; `out.transfer` says
// where it went.
inline lib::Result<void> recv(CapSlot endpoint, CapSlot accept, IpcMessage& out) {
    out = IpcMessage{};
    out.transfer = accept;
    return to_void(ipc_raw(Syscall::Recv, endpoint, out));
}
// Sends `message` and waits for the reply, which replaces it.
inline lib::Result<void> call(CapSlot endpoint, IpcMessage& message) {
    return to_void(ipc_raw(Syscall::Call, endpoint, message));
}
// Replies with `message` and waits for the next request, which replaces it.
inline lib::Result<void> reply_recv(CapSlot endpoint, IpcMessage& message) {
    return to_void(ipc_raw(Syscall::ReplyRecv, endpoint, message));
}

// ---- Devices

// Reads `width` (1, 2 or 4) bytes from `port`, which the IoPort capability must cover (READ).
inline lib::Result<uint64_t> port_in(CapSlot io_port, uint16_t port, uint32_t width) {
    return checked(raw(Syscall::PortIn, io_port.index(), port, width));
}
// Writes (WRITE on the capability).
inline lib::Result<void> port_out(CapSlot io_port, uint16_t port, uint32_t width,
                                  uint32_t value) {
    return to_void(raw(Syscall::PortOut, io_port.index(), port, width, value));
}
// Blocks until the line fires (READ on the IrqLine).
inline lib::Result<void> wait_irq(CapSlot irq_line) {
    return to_void(raw(Syscall::WaitIrq, irq_line.index()));
}

// ---- Processes and threads

// Starts initrd program `path` ("bin/hello"); returns a Process capability (all rights).
inline lib::Result<CapSlot> spawn_process(const char* path, size_t length) {
    auto r = checked(raw(Syscall::SpawnProcess, reinterpret_cast<uint64_t>(path), length));
    if (!r)
        return lib::fail(r.error());
    return CapSlot(uint32_t(*r));
}
// A new thread in `process` (WRITE) at `entry` with `stack_top` and `argument` in RDI.
inline lib::Result<uint64_t> spawn_thread(CapSlot process, void (*entry)(uint64_t),
                                          void* stack_top, uint64_t argument) {
    return checked(raw(Syscall::SpawnThread, process.index(), reinterpret_cast<uint64_t>(entry),
                       reinterpret_cast<uint64_t>(stack_top), argument));
}

// ---- Memory

// `pages` zeroed, physically contiguous pages (WRITE on the PmmAllocator); a MemoryFrame slot.
inline lib::Result<CapSlot> alloc_memory(CapSlot pmm, uint64_t pages) {
    auto r = checked(raw(Syscall::AllocMemory, pmm.index(), pages));
    if (!r)
        return lib::fail(r.error());
    return CapSlot(uint32_t(*r));
}
// Maps all of `frame` at `address` in `process` (flags: MAP_WRITE, MAP_EXEC, never both).
inline lib::Result<void> map_memory(CapSlot process, CapSlot frame, uint64_t address,
                                    uint64_t flags) {
    return to_void(raw(Syscall::MapMemory, process.index(), frame.index(), address, flags));
}
inline lib::Result<void> unmap_memory(CapSlot process, uint64_t address, uint64_t pages) {
    return to_void(raw(Syscall::UnmapMemory, process.index(), address, pages));
}

// ---- Capabilities

// Copies `source` (GRANT) into `process`'s CNode (WRITE) with `rights` (narrowing only), at
// `destination` or, for CapSlot::none(), the first free slot. Returns the slot used.
inline lib::Result<CapSlot> delegate(CapSlot source, CapSlot process, CapSlot destination,
                                     Rights rights) {
    auto r = checked(raw(Syscall::Delegate, source.index(), process.index(), destination.index(),
                         uint32_t(rights)));
    if (!r)
        return lib::fail(r.error());
    return CapSlot(uint32_t(*r));
}
inline lib::Result<void> drop_cap(CapSlot slot) {
    return to_void(raw(Syscall::DropCap, slot.index()));
}
// Removes every capability derived from `slot` (REVOKE); returns how many.
inline lib::Result<uint64_t> revoke(CapSlot slot) {
    return checked(raw(Syscall::Revoke, slot.index()));
}

} // namespace mnos::sys
