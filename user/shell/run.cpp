// Running a program: its ELF file from the initrd becomes a process with a budget of its own,
// the console as its terminal (slot 3, MNOS_CONSOLE=3) and nothing else; the console is told
// it is the foreground program, so ctrl-C kills it; the shell waits and says how it ended.
#include "abi/console.h"
#include "user/libmnos/console.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/loader.h"
#include "user/libmnos/print.h"
#include "user/libmnos/rpc.h"
#include "user/shell/shell.h"

namespace shell {

namespace {

using mnos::CapSlot;
using mnos::Rights;
namespace sys = mnos::sys;

constexpr uint64_t PROGRAM_PAGES = 4096; // 16 MiB for each program
constexpr CapSlot CHILD_CONSOLE{3};
const char* const CHILD_ENVIRONMENT[] = {"MNOS_CONSOLE=3"};

const char* vector_name(uint64_t vector) {
    switch (vector) {
    case 0: return "divide error";
    case 3: return "breakpoint";
    case 6: return "invalid opcode";
    case 13: return "general protection fault";
    case 14: return "page fault";
    default: return "exception";
    }
}

void tell_console_foreground(CapSlot process) {
    mnos::rpc::Attachment attachment;
    if (!process.is_none())
        attachment = {process, Rights::Write | Rights::Grant}; // the console keeps WRITE
    (void)mnos::rpc::call(CONSOLE, mnos::console::SetForeground, {}, attachment);
}

} // namespace

int run_program(const Command& command) {
    char path[64];
    lib::StringView name(command.words[0]);
    lib::BufferOutput out(path, sizeof path);
    if (name.find('/') == name.length())
        lib::format_to(out, "/bin/{}", name);
    else
        lib::format_to(out, "{}", name);
    auto image = mnos::initrd::file(out.view());
    if (!image) {
        mnos::println("{}: command not found", name);
        return 127;
    }
    auto budget = sys::split_budget(mnos::service_caps::BUDGET, PROGRAM_PAGES);
    if (!budget) {
        mnos::println("{}: no memory for it: {}", name, mnos::error_name(budget.error()));
        return 126;
    }
    mnos::Grant grants[] = {
        {*budget, mnos::service_caps::BUDGET, Rights::All},
        {CONSOLE, CHILD_CONSOLE, Rights::Write},
    };
    const char* reason = nullptr;
    mnos::Program program{out.view().substring(0, 31), *image,
                          std::span(command.words, command.count), CHILD_ENVIRONMENT, *budget,
                          grants};
    auto process = mnos::spawn(program, &reason);
    (void)sys::drop_cap(*budget); // the child holds its own copy
    if (!process) {
        mnos::println("{}: cannot start: {}{}{}", name, mnos::error_name(process.error()),
                      reason ? ": " : "", reason ? reason : "");
        return 126;
    }
    tell_console_foreground(*process);
    auto end = sys::wait_process(*process);
    tell_console_foreground(CapSlot::none());
    (void)sys::drop_cap(*process);
    if (!end) {
        mnos::println("{}: lost: {}", name, mnos::error_name(end.error()));
        return 126;
    }
    switch (end->reason) {
    case mnos::ExitReason::Exited:
        if (end->code != 0)
            mnos::println("{}: exit code {}", name, int64_t(end->code));
        return int(end->code);
    case mnos::ExitReason::Killed: mnos::println("{}: killed", name); return 130;
    case mnos::ExitReason::Faulted:
        mnos::println("{}: {} (vector {}) at {:#x}", name, vector_name(end->code), end->code,
                      end->fault_address);
        return 128 + int(end->code);
    }
    return 126;
}

} // namespace shell
