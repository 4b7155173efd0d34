#include "kernel/syscall/no_object.h"

#include "kernel/debug/log.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/process.h"
#include "kernel/object/thread.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"
#include "kernel/syscall/message_registers.h"
#include "kernel/syscall/user_memory.h"

namespace kernel::syscall {

namespace {
constexpr size_t MAX_LOG = 1024;
} // namespace

lib::Result<uint64_t> invoke(Op<mnos::Syscall::Exit>, Invocation& call) {
    sched::exit_current_process(int(call.registers.arg0()));
}

lib::Result<uint64_t> invoke(Op<mnos::Syscall::ExitThread>, Invocation&) {
    object::Thread::end_current({mnos::ExitReason::Exited, 0, 0});
}

lib::Result<uint64_t> invoke(Op<mnos::Syscall::DebugLog>, Invocation& call) {
    uint64_t length = call.registers.arg1();
    object::Process* process = call.caller ? call.caller->process : nullptr;
    if (length > MAX_LOG || !process)
        return lib::fail(mnos::Error::InvalidArgument);
    char text[MAX_LOG];
    TRY(copy_from_user(*process, text, lib::VirtAddr(call.registers.arg0()), length));
    // One log call per syscall keeps a program's line whole; the pid says whose it is.
    kprint("[{}] {}", process->pid(), lib::StringView(text, length));
    return length;
}

lib::Result<uint64_t> invoke(Op<mnos::Syscall::Yield>, Invocation&) {
    sched::yield();
    return 0;
}

lib::Result<uint64_t> invoke(Op<mnos::Syscall::Reply>, Invocation& call) {
    call.ipc.message = TRY(read_message(call.registers));
    TRY(object::Endpoint::reply(call.ipc));
    return 0;
}

} // namespace kernel::syscall
