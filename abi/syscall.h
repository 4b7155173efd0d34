// The MinimalOS system call ABI, shared by the kernel and userspace. docs/syscalls.md documents
// every call; this header is the single source of the numbers.
//
// Convention (x86_64):
//   - SYSCALL with the number in RAX and arguments in RDI, RSI, RDX, R10, R8, R9.
//   - RCX and R11 are clobbered (the CPU keeps the return RIP and RFLAGS there).
//   - RAX returns a non-negative value on success, or -(mnos::Error) on failure.
//   - IPC messages travel in registers both ways: label in RSI, words in RDX, R10, R8, and the
//     capability transfer (slot | rights << 32) in R9. A call that receives a message returns it
//     in those same registers. No message is ever read from or written to user memory.
#pragma once

#include <cstdint>

#include "abi/error.h"

namespace mnos {

enum class Syscall : uint64_t {
    Exit = 0,          // (code) -> does not return
    DebugLog = 1,      // (const char* text, size_t length) -> length
    Yield = 2,         // () -> 0
    Send = 3,          // (endpoint slot, message...) -> 0
    Recv = 4,          // (endpoint slot, accept slot) -> 0, message in registers
    Call = 5,          // (endpoint slot, message...) -> 0, reply in registers
    ReplyRecv = 6,     // (endpoint slot, reply message...) -> 0, next request in registers
    PortIn = 7,        // (io-port slot, port, width 1|2|4) -> value
    PortOut = 8,       // (io-port slot, port, width 1|2|4, value) -> 0
    WaitIrq = 9,       // (irq-line slot) -> 0 once the line fired (and acknowledges the last one)
    SpawnProcess = 10, // (const char* path, size_t length) -> process slot
    SpawnThread = 11,  // (process slot, entry, stack top, argument) -> thread id
    AllocMemory = 12,  // (pmm slot, page count) -> memory-frame slot
    MapMemory = 13,    // (process slot, memory-frame slot, virtual address, flags) -> 0
    UnmapMemory = 14,  // (process slot, virtual address, page count) -> 0
    Delegate = 15,     // (source slot, process slot, destination slot, rights) -> slot used
    DropCap = 16,      // (slot) -> 0
    Revoke = 17,       // (slot) -> number of capabilities removed
};
inline constexpr uint64_t SYSCALL_COUNT = 18;

// MapMemory flags.
inline constexpr uint64_t MAP_WRITE = 1u << 0;
inline constexpr uint64_t MAP_EXEC = 1u << 1;

// The user half of the address space: [USER_MIN, USER_END). Every pointer a syscall takes must
// lie inside it. It stops one page short of the canonical boundary 2^47: code in that last page
// could SYSCALL with a non-canonical return address (the SYSRET hazard).
inline constexpr uint64_t USER_MIN = 0x1000;
inline constexpr uint64_t USER_END = 0x00007ffffffff000;

constexpr int64_t error_result(Error e) { return -int64_t(e); }
constexpr bool is_error_result(int64_t r) { return r < 0; }
constexpr Error result_error(int64_t r) { return Error(int32_t(-r)); }

} // namespace mnos
