// Running a program: its ELF file from the initrd becomes a process with a budget of its own,
// the console as its terminal (slot 3, MNOS_CONSOLE=3), the initrd to read (slot 4, read-only,
// MNOS_INITRD=4), a capability of its own to the file service when one runs (slot 5,
// MNOS_FS=5; abi/fs.h) and nothing else. A .wasm program runs the same way inside /bin/wasm, the
// Wasm host (docs/hypervisor.md), which is granted what the program may import; the console is told
// it is the foreground program, so ctrl-C kills it; the shell waits and says how it ended.
#include "abi/console.h"
#include "abi/fs.h"
#include "user/libmnos/console.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/loader.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/rpc.h"
#include "user/shell/shell.h"

namespace shell {

namespace {

using mnos::CapSlot;
using mnos::Rights;
namespace sys = mnos::sys;

constexpr uint64_t PROGRAM_PAGES = 8192; // 32 MiB for each program
constexpr CapSlot CHILD_CONSOLE{3};
constexpr CapSlot CHILD_INITRD{4}; // for the Wasm host, which loads its module from it
constexpr CapSlot CHILD_FS{5};
const char* const CHILD_SLOTS[] = {"MNOS_CONSOLE=3", "MNOS_INITRD=4"};
const char* const CHILD_FS_SLOT = "MNOS_FS=5";
constexpr size_t MAX_ENVIRONMENT = 16;
// A .wasm program runs in a Wasm host process of its own, which may grant it these imports.
constexpr const char* WASM_HOST = "/bin/wasm";
constexpr const char* WASM_GRANTS = "--allow=mnos.print";
constexpr size_t MAX_ARGS = MAX_WORDS + 3;

// A child's environment: where its console and initrd are, then the rest of the shell's own
// (what init passes on: the TSC's frequency, the wall clock, ...), into `out`.
std::span<const char* const> child_environment(const char* (&out)[MAX_ENVIRONMENT], bool files) {
    size_t count = 0;
    for (const char* entry : CHILD_SLOTS)
        out[count++] = entry;
    if (files)
        out[count++] = CHILD_FS_SLOT;
    for (const char* entry : mnos::environment_entries()) {
        lib::StringView text(entry);
        bool overridden = text.starts_with("MNOS_CONSOLE=") || text.starts_with("MNOS_INITRD=") ||
                          text.starts_with("MNOS_FS=");
        if (!overridden && count < MAX_ENVIRONMENT)
            out[count++] = entry;
    }
    return std::span(out, count);
}

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
    if (!mnos::initrd::file(out.view())) {
        mnos::println("{}: command not found", name);
        return 127;
    }
    // argv as the program sees it; a Wasm program's host gets its grants and path first.
    const char* argv[MAX_ARGS + 1];
    size_t argc = 0;
    bool is_wasm = out.view().length() > 5 &&
                   out.view().substring(out.view().length() - 5) == lib::StringView(".wasm");
    if (is_wasm) {
        argv[argc++] = WASM_HOST;
        argv[argc++] = WASM_GRANTS;
        argv[argc++] = path;
        for (size_t i = 1; i < command.count; ++i)
            argv[argc++] = command.words[i];
    } else {
        for (size_t i = 0; i < command.count; ++i)
            argv[argc++] = command.words[i];
    }
    lib::StringView program_path = is_wasm ? lib::StringView(WASM_HOST) : out.view();
    auto image = mnos::initrd::file(program_path);
    if (!image) {
        mnos::println("{}: no {} to run it", name, program_path);
        return 127;
    }
    auto budget = sys::split_budget(mnos::service_caps::BUDGET, PROGRAM_PAGES);
    if (!budget) {
        mnos::println("{}: no memory for it: {}", name, mnos::error_name(budget.error()));
        return 126;
    }
    // A lookup per program: the file service tells its clients apart by the badge.
    auto files = mnos::names::lookup(mnos::fs::SERVICE, CapSlot::none());
    mnos::Grant grants[] = {
        {*budget, mnos::service_caps::BUDGET, Rights::All},
        {CONSOLE, CHILD_CONSOLE, Rights::Write},
        {INITRD, CHILD_INITRD, Rights::Read},
        {files ? *files : CapSlot::none(), CHILD_FS, Rights::Write | Rights::Grant},
    };
    const char* reason = nullptr;
    const char* environment[MAX_ENVIRONMENT];
    mnos::Program program{out.view().substring(0, 31), *image, std::span(argv, argc),
                          child_environment(environment, files.has_value()), *budget,
                          std::span(grants, files ? 4 : 3)};
    auto process = mnos::spawn(program, &reason);
    (void)sys::drop_cap(*budget); // the child holds its own copy
    if (files)
        (void)sys::drop_cap(*files);
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
