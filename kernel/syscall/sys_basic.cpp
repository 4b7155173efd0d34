// Exit, DebugLog, Yield, port I/O and IRQ waits.
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/cap/cnode.h"
#include "kernel/debug/log.h"
#include "kernel/ipc/ipc_syscalls.h"
#include "kernel/object/io_port_range.h"
#include "kernel/sched/process.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"
#include "kernel/syscall/handlers.h"
#include "kernel/syscall/user_memory.h"

namespace kernel::syscall {

namespace {
constexpr size_t MAX_LOG = 1024;

lib::Result<lib::RefPtr<object::IoPortRange>> port_range(sched::Thread& self, uint64_t slot,
                                                         uint64_t port, uint64_t width,
                                                         mnos::Rights needed) {
    if (width != 1 && width != 2 && width != 4)
        return lib::fail(lib::Error::InvalidArgument);
    if (slot > UINT32_MAX || !self.process)
        return lib::fail(lib::Error::NoSlot);
    auto range = TRY(cap::lookup_as<object::IoPortRange>(self.process->cnode(),
                                                         mnos::CapSlot(uint32_t(slot)), needed));
    if (port > 0xffff || !range->contains(uint16_t(port), uint32_t(width)))
        return lib::fail(lib::Error::InvalidArgument);
    return range;
}

int64_t result_of(const lib::Result<void>& r) { return r ? 0 : fail(r.error()); }
} // namespace

int64_t sys_exit(sched::Thread&, SyscallFrame& frame) {
    sched::exit_current_process(int(frame.arg0()));
}

int64_t sys_debug_log(sched::Thread& self, SyscallFrame& frame) {
    uint64_t length = frame.arg1();
    if (length > MAX_LOG)
        return fail(mnos::Error::InvalidArgument);
    char text[MAX_LOG];
    if (auto copied = copy_from_user(self, text, lib::VirtAddr(frame.arg0()), length); !copied)
        return fail(copied.error());
    // One log call per syscall keeps a program's line whole; the pid says whose it is.
    kprint("[{}] {}", self.process ? self.process->pid() : 0, lib::StringView(text, length));
    return int64_t(length);
}

int64_t sys_yield(sched::Thread&, SyscallFrame&) {
    sched::yield();
    return 0;
}

int64_t sys_port_in(sched::Thread& self, SyscallFrame& frame) {
    auto range = port_range(self, frame.arg0(), frame.arg1(), frame.arg2(), mnos::Rights::Read);
    if (!range)
        return fail(range.error());
    auto port = uint16_t(frame.arg1());
    // The capability covers [port, port + width): the holder was granted exactly these ports.
    switch (frame.arg2()) {
    case 1: return cpu::in8(port);
    case 2: return cpu::in16(port);
    default: return cpu::in32(port);
    }
}

int64_t sys_port_out(sched::Thread& self, SyscallFrame& frame) {
    auto range = port_range(self, frame.arg0(), frame.arg1(), frame.arg2(), mnos::Rights::Write);
    if (!range)
        return fail(range.error());
    auto port = uint16_t(frame.arg1());
    uint64_t value = frame.arg3();
    switch (frame.arg2()) {
    case 1: cpu::out8(port, uint8_t(value)); break;
    case 2: cpu::out16(port, uint16_t(value)); break;
    default: cpu::out32(port, uint32_t(value)); break;
    }
    return 0;
}

int64_t sys_wait_irq(sched::Thread& self, SyscallFrame& frame) {
    if (frame.arg0() > UINT32_MAX)
        return fail(mnos::Error::NoSlot);
    return result_of(ipc::irq_wait(self, mnos::CapSlot(uint32_t(frame.arg0()))));
}

} // namespace kernel::syscall
