// The shell: a prompt on the console, built-in commands and programs from the initrd
// (docs/console.md lists the commands). It reads lines through the console service, which
// does the line editing and history, and starts each program as a process of its own with
// the console as its terminal.
#include "abi/console.h"
#include "user/libmnos/console.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/shell/shell.h"

namespace {

// Splits `line` at spaces and tabs, in place.
shell::Command split(char* line) {
    shell::Command command;
    for (char* p = line; *p && command.count < shell::MAX_WORDS;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            *p++ = '\0';
        if (!*p)
            break;
        command.words[command.count++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            ++p;
    }
    command.words[command.count] = nullptr;
    return command;
}

// The next line, or false at the end of input. A console that went away (restarted) is
// looked up again.
bool read_line(char (&line)[256]) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto length = mnos::read_input(line, sizeof line - 1);
        if (length) {
            line[*length] = '\0';
            return *length > 0;
        }
        (void)mnos::sys::drop_cap(shell::CONSOLE);
        if (!mnos::names::wait_for(mnos::console::SERVICE, shell::CONSOLE))
            break;
    }
    mnos::println("shell: the console is gone");
    return false;
}

} // namespace

int main(int, char**) {
    const char* reason = nullptr;
    if (auto archive = mnos::initrd::map(shell::INITRD, &reason); !archive)
        mnos::println("shell: no initrd: {}", mnos::error_name(archive.error()));
    if (auto found = mnos::names::wait_for(mnos::console::SERVICE, shell::CONSOLE); !found) {
        mnos::println("shell: no console: {}", mnos::error_name(found.error()));
        return 1;
    }
    mnos::use_console(shell::CONSOLE);
    mnos::println("\nMinimalOS shell. Type 'help' for the commands.");
    char line[256];
    while (true) {
        mnos::print("$ ");
        if (!read_line(line))
            break;
        shell::Command command = split(line);
        if (command.count == 0)
            continue;
        if (lib::StringView(command.words[0]) == lib::StringView("exit"))
            break;
        if (!shell::run_builtin(command))
            (void)shell::run_program(command);
    }
    mnos::println("logout");
    return 0;
}
