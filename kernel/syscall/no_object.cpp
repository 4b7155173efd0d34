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

// Writes one line of a program's text as "[pid] line", with every control character (and DEL)
// as \xNN: a program can neither start a line that looks like the kernel's nor move the
// terminal's cursor or colours.
void log_line(uint64_t pid, lib::StringView line) {
    char escaped[MAX_LOG * 4];
    size_t n = 0;
    constexpr char HEX[] = "0123456789abcdef";
    for (char c : line) {
        auto byte = uint8_t(c);
        if (byte < 0x20 || byte == 0x7f) {
            escaped[n++] = '\\';
            escaped[n++] = 'x';
            escaped[n++] = HEX[byte >> 4];
            escaped[n++] = HEX[byte & 0xf];
        } else {
            escaped[n++] = c;
        }
    }
    kprintln("[{}] {}", pid, lib::StringView(escaped, n));
}

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
    // Line by line, each whole and prefixed with the pid that wrote it; a last line without
    // its newline is ended here, so the next line (anyone's) starts at the left margin.
    size_t start = 0;
    for (size_t i = 0; i <= length; ++i) {
        if (i == length ? i > start : text[i] == '\n') {
            log_line(process->pid(), lib::StringView(text + start, i - start));
            start = i + 1;
        }
    }
    return length;
}

lib::Result<uint64_t> invoke(Op<mnos::Syscall::Yield>, Invocation&) {
    sched::yield();
    return 0;
}

lib::Result<uint64_t> invoke(Op<mnos::Syscall::Sleep>, Invocation& call) {
    constexpr uint64_t MAX_MILLISECONDS = 3600 * 1000;
    uint64_t milliseconds = call.registers.arg0();
    if (milliseconds > MAX_MILLISECONDS)
        return lib::fail(mnos::Error::InvalidArgument);
    // One tick more than the time rounds up to: the current tick is partly over, and the
    // promise is "at least" (a 100 ms sleep measured 99 ms on the TSC without it).
    uint64_t ticks = milliseconds ? (milliseconds * sched::TICK_HZ + 999) / 1000 + 1 : 0;
    // A kill ends the sleep; the thread then ends on its way out, so the result is never seen.
    if (ticks)
        (void)sched::sleep_ticks(ticks, sched::BlockMode::Interruptible);
    return 0;
}

lib::Result<uint64_t> invoke(Op<mnos::Syscall::Reply>, Invocation& call) {
    TRY(read_message(call.registers, call.ipc.message));
    TRY(object::Endpoint::reply(call.ipc));
    return 0;
}

} // namespace kernel::syscall
