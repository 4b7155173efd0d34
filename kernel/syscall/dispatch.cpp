// The one place a SYSCALL lands in C++: it finds the handler by number, and on the way back out
// ends the thread if its process is exiting or if its saved RIP could not be returned to.
#include "kernel/debug/log.h"
#include "kernel/sched/process.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"
#include "kernel/syscall/handlers.h"

namespace kernel::syscall {

namespace {

constexpr Handler HANDLERS[mnos::SYSCALL_COUNT] = {
    sys_exit,         // Exit
    sys_debug_log,    // DebugLog
    sys_yield,        // Yield
    sys_send,         // Send
    sys_recv,         // Recv
    sys_call,         // Call
    sys_reply_recv,   // ReplyRecv
    sys_port_in,      // PortIn
    sys_port_out,     // PortOut
    sys_wait_irq,     // WaitIrq
    sys_spawn_process, // SpawnProcess
    sys_spawn_thread, // SpawnThread
    sys_alloc_memory, // AllocMemory
    sys_map_memory,   // MapMemory
    sys_unmap_memory, // UnmapMemory
    sys_delegate,     // Delegate
    sys_drop_cap,     // DropCap
    sys_revoke,       // Revoke
};

bool is_canonical(uint64_t address) { return uint64_t(int64_t(address << 16) >> 16) == address; }

} // namespace

} // namespace kernel::syscall

using namespace kernel;

extern "C" void syscall_dispatch(syscall::SyscallFrame* frame) {
    sched::Thread& self = *sched::current();
    uint64_t number = frame->number();
    frame->rax = number < mnos::SYSCALL_COUNT
                     ? uint64_t(syscall::HANDLERS[number](self, *frame))
                     : uint64_t(mnos::error_result(mnos::Error::InvalidArgument));
    sched::Process* process = self.process;
    if (process && process->exiting.load(std::memory_order_acquire))
        sched::exit_current_process(process->exit_code);
    // SYSRET to a non-canonical RIP faults in Ring 0 (see syscall_entry.S). SYSCALL itself always
    // saves a canonical RIP and no handler changes it, so this only guards the invariant.
    if (!syscall::is_canonical(frame->user_rip)) {
        kprintln(LogColour::Warning, "process {}: return to non-canonical RIP {:#x}; ended",
                 process ? process->pid() : 0, frame->user_rip);
        sched::exit_current_process(-1);
    }
}
