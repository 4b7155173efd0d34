// The MinimalOS system call ABI, shared by the kernel and userspace. MNOS_SYSCALLS below is the
// one list of the calls: the numbers, the kernel's dispatch table (kernel/syscall/dispatch.cpp),
// libmnos's wrappers (user/libmnos/syscall.h) and the documentation check (tests/host/abi) are
// all generated from it, so a call cannot exist in one of them and be missing from another.
//
// Almost every call is an invocation: RDI names a capability slot of the caller, the kernel
// looks the capability up once (the slot, the object's type, the rights in the table) and runs
// the method of that object the call names. Six calls name no object (Exit, ExitThread, DebugLog, Yield, Reply, Sleep),
// and four act on a capability of any type rather than on its object (Delegate, DropCap,
// Revoke, Inspect). docs/syscalls.md describes each call; docs/capabilities.md the rights.
//
// Convention (x86_64):
//   - SYSCALL with the number in RAX and arguments in RDI, RSI, RDX, R10, R8, R9, R12, R13.
//   - RCX and R11 are clobbered (the CPU keeps the return RIP and RFLAGS there).
//   - RAX returns a non-negative value on success, or -(mnos::Error) on failure.
//   - IPC messages travel in registers both ways: label in RSI, words in RDX, R10, R8, the
//     transferred capability's slot in R9 and its rights in R12; R13 names the receive window
//     where a capability that comes back may land. A call that receives a message returns it in
//     those same registers (R9/R12: where the capability landed, and its rights) and the
//     sender's badge in RAX. No message is ever read from or written to user memory.
#pragma once

#include <cstdint>

#include "abi/capability.h"
#include "abi/error.h"

namespace mnos {

// What the capability in RDI is, for a call: a typed object, any capability, or nothing at all.
enum class Invokes : uint8_t { Nothing, AnyCapability, Object };

// X(name, number, invokes, object type, rights needed on the invoked capability)
// The numbers are dense and in order (checked below); new calls take the next number.
#define MNOS_SYSCALLS(X)                                                               \
    X(Exit, 0, Nothing, Empty, Rights::None)               /* (code) */                \
    X(ExitThread, 1, Nothing, Empty, Rights::None)         /* () */                    \
    X(DebugLog, 2, Nothing, Empty, Rights::None)           /* (text, length) -> length */\
    X(Yield, 3, Nothing, Empty, Rights::None)              /* () */                    \
    X(Send, 4, Object, IpcEndpoint, Rights::Write)         /* (endpoint, message) */   \
    X(Recv, 5, Object, IpcEndpoint, Rights::Read)          /* (endpoint) -> badge, message */\
    X(Call, 6, Object, IpcEndpoint, Rights::Write)         /* (endpoint, message) -> reply */\
    X(ReplyRecv, 7, Object, IpcEndpoint, Rights::Read)     /* (endpoint, reply) -> badge.. */\
    X(Reply, 8, Nothing, Empty, Rights::None)              /* (message): to the last caller */\
    X(Mint, 9, Object, IpcEndpoint, Rights::Grant)         /* (endpoint, badge, rights) */\
    X(PortIn, 10, Object, IoPort, Rights::Read)            /* (io port, port, width) */\
    X(PortOut, 11, Object, IoPort, Rights::Write)          /* (io port, port, width, value) */\
    X(NarrowPorts, 12, Object, IoPort, Rights::Grant)      /* (io port, base, count) -> io port */\
    X(WaitIrq, 13, Object, IrqLine, Rights::Read)          /* (irq line) */            \
    X(ClaimIrq, 14, Object, IrqControl, Rights::Write)     /* (irq control, isa irq) -> line */\
    X(AllocMemory, 15, Object, MemoryBudget, Rights::Write) /* (budget, pages) -> frame */\
    X(CreateEndpoint, 16, Object, MemoryBudget, Rights::Write) /* (budget) -> endpoint */\
    X(CreateProcess, 17, Object, MemoryBudget, Rights::Write) /* (budget, name, length) */\
    X(SplitBudget, 18, Object, MemoryBudget, Rights::Write) /* (budget, pages) -> budget */\
    X(SpawnThread, 19, Object, Process, Rights::Write)     /* (process, entry, stack, arg) */\
    X(MapMemory, 20, Object, Process, Rights::Write)       /* (process, frame, addr, flags) */\
    X(UnmapMemory, 21, Object, Process, Rights::Write)     /* (process, addr, pages) */\
    X(WaitProcess, 22, Object, Process, Rights::Read)      /* (process) -> exit state */\
    X(KillProcess, 23, Object, Process, Rights::Write)     /* (process) */             \
    X(WaitThread, 24, Object, Thread, Rights::Read)        /* (thread) -> exit state */\
    X(KillThread, 25, Object, Thread, Rights::Write)       /* (thread) */              \
    X(Delegate, 26, AnyCapability, Empty, Rights::Grant)   /* (source, process, dest, rights) */\
    X(DropCap, 27, AnyCapability, Empty, Rights::None)     /* (slot) */                \
    X(Revoke, 28, AnyCapability, Empty, Rights::Revoke)    /* (slot) -> count */       \
    X(Inspect, 29, AnyCapability, Empty, Rights::None)     /* (slot) -> type, rights, badge */\
    X(Sleep, 30, Nothing, Empty, Rights::None)             /* (milliseconds) */          \
    X(CreateNotification, 31, Object, MemoryBudget, Rights::Write) /* (budget) -> notification */\
    X(Signal, 32, Object, Notification, Rights::Write)     /* (notification, bits) */  \
    X(WaitNotification, 33, Object, Notification, Rights::Read) /* (notification, mask) -> bits */\
    X(ClaimPciDevice, 34, Object, DeviceControl, Rights::Write) /* (control, ids, index) */\
    X(PciConfigRead, 35, Object, PciDevice, Rights::Read)  /* (device, offset, width) */\
    X(PciConfigWrite, 36, Object, PciDevice, Rights::Write) /* (device, offset, width, v) */\
    X(DeviceMmio, 37, Object, PciDevice, Rights::Read)     /* (device, phys, pages) -> mmio */\
    X(DeviceIrq, 38, Object, PciDevice, Rights::Write)     /* (device, entry) -> irq line */\
    X(DmaAddress, 39, Object, PciDevice, Rights::Write)    /* (device, frame) -> phys */\
    X(MapMmio, 40, Object, Process, Rights::Write)         /* (process, mmio, addr, flags) */\
    X(WatchProcess, 41, Object, Process, Rights::Read)     /* (process, notification, bits) */\
    X(DmaRelease, 42, Object, PciDevice, Rights::Write)    /* (device, phys) -> pins left */

enum class Syscall : uint64_t {
#define MNOS_SYSCALL_NUMBER(name, number, invokes, type, rights) name = number,
    MNOS_SYSCALLS(MNOS_SYSCALL_NUMBER)
#undef MNOS_SYSCALL_NUMBER
};

// One row of the table, as data: what the kernel checks before it runs the call.
struct SyscallSpec {
    const char* name;
    Syscall number;
    Invokes invokes;
    CapType type;  // for Invokes::Object
    Rights rights; // needed on the invoked capability
};

inline constexpr SyscallSpec SYSCALL_SPECS[] = {
#define MNOS_SYSCALL_SPEC(name, number, invokes, type, rights) \
    {#name, Syscall::name, Invokes::invokes, CapType::type, rights},
    MNOS_SYSCALLS(MNOS_SYSCALL_SPEC)
#undef MNOS_SYSCALL_SPEC
};
inline constexpr uint64_t SYSCALL_COUNT = sizeof SYSCALL_SPECS / sizeof SYSCALL_SPECS[0];

constexpr bool syscall_numbers_dense() {
    for (uint64_t i = 0; i < SYSCALL_COUNT; ++i)
        if (uint64_t(SYSCALL_SPECS[i].number) != i)
            return false;
    return true;
}
static_assert(syscall_numbers_dense(), "MNOS_SYSCALLS: numbers must be 0, 1, 2, ... in order");

// The table's row for `number`, or null for a number no call has.
constexpr const SyscallSpec* syscall_spec(uint64_t number) {
    return number < SYSCALL_COUNT ? &SYSCALL_SPECS[number] : nullptr;
}

// MapMemory flags.
inline constexpr uint64_t MAP_WRITE = 1u << 0;
inline constexpr uint64_t MAP_EXEC = 1u << 1;

// Badges (Mint): a non-zero value below 2^63, so a receive can return it in RAX as a success.
inline constexpr uint64_t BADGE_LIMIT = uint64_t(1) << 63;

// WaitThread's and WaitProcess's answer: how the thread or process ended (RSI), its exit code or
// fault vector (RDX) and the fault address (R10).
enum class ExitReason : uint64_t {
    Exited = 0, // it called Exit (or its process did): RDX holds the code
    Killed = 1, // KillThread
    Faulted = 2, // a CPU exception in Ring 3: RDX the vector, R10 the faulting address (CR2)
};

// The user half of the address space: [USER_MIN, USER_END). Every pointer a syscall takes must
// lie inside it, and the kernel maps nothing for a process outside it. It stops one page short
// of the canonical boundary 2^47: code in that last page could SYSCALL with a non-canonical
// return address (the SYSRET hazard).
inline constexpr uint64_t USER_MIN = 0x1000;
inline constexpr uint64_t USER_END = 0x00007ffffffff000;

constexpr int64_t error_result(Error e) { return -int64_t(e); }
constexpr bool is_error_result(int64_t r) { return r < 0; }
constexpr Error result_error(int64_t r) { return Error(int32_t(-r)); }

} // namespace mnos
