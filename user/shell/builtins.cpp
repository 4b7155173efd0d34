// The shell's built-in commands: what a person needs to look around the system. Services'
// state, names and memory come from init (abi/init_control.h); files from the initrd.
#include "abi/init_control.h"
#include "lib/time/civil.h"
#include "user/libmnos/clock.h"
#include "user/libmnos/console.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/shell/shell.h"

namespace shell {

namespace {

using lib::StringView;
namespace control = mnos::init_control;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

struct Builtin {
    const char* name;
    const char* usage;
    void (*run)(const Command&);
};

void help(const Command&);

// ls [DIRECTORY]: the initrd's files under it, with their sizes.
void ls(const Command& command) {
    struct Listing {
        StringView prefix;
        size_t shown;
    } listing{command.count > 1 ? StringView(command.words[1]) : StringView("/"), 0};
    if (listing.prefix.starts_with("/"))
        listing.prefix = listing.prefix.substring(1);
    mnos::initrd::for_each_file(
        [](StringView path, size_t size, void* context) {
            auto& l = *static_cast<Listing*>(context);
            if (!path.starts_with(l.prefix))
                return;
            mnos::println("{:>9}  /{}", size, path);
            ++l.shown;
        },
        &listing);
    if (listing.shown == 0)
        mnos::println("ls: nothing under {}", command.count > 1 ? command.words[1] : "/");
}

// cat FILE...: a file's bytes, as they are.
void cat(const Command& command) {
    if (command.count < 2)
        return mnos::println("usage: cat FILE...");
    for (size_t i = 1; i < command.count; ++i) {
        auto file = mnos::initrd::file(command.words[i]);
        if (!file) {
            mnos::println("cat: {}: {}", command.words[i], mnos::error_name(file.error()));
            continue;
        }
        // Sound: a file in the initrd is bytes of text or not; either way they are chars.
        (void)mnos::write_output(
            StringView(reinterpret_cast<const char*>(file->data()), file->size()));
    }
}

void echo(const Command& command) {
    char line[256];
    lib::BufferOutput out(line, sizeof line);
    for (size_t i = 1; i < command.count; ++i)
        lib::format_to(out, "{}{}", i > 1 ? " " : "", command.words[i]);
    mnos::println("{}", out.view());
}

// ps: init's services (the shell among them) with their process ids, states and budgets.
void ps(const Command&) {
    mnos::println("  PID  STATE       BUDGET     NAME");
    for (uint64_t i = 0;; ++i) {
        auto name = rpc::call(NAMES, control::ServiceName, {i});
        auto status = rpc::call(NAMES, control::ServiceStatus, {i});
        if (!name || !status)
            break;
        char buffer[mnos::name_service::MAX_NAME + 1];
        auto text = mnos::names::unpack(name->words, buffer);
        auto state = control::ServiceState(status->words[1] & 0xff);
        uint64_t restarts = status->words[1] >> 8;
        mnos::print("{:>5}  {:<10}  {:>5} KiB  {}", status->words[0],
                    control::service_state_name(state), status->words[2] * 4,
                    text ? *text : StringView("?"));
        if (restarts)
            mnos::println(" (restarted {} times)", restarts);
        else
            mnos::println("");
    }
}

void services(const Command&) {
    for (uint64_t i = 0;; ++i) {
        auto answer = rpc::call(NAMES, control::NameAt, {i});
        if (!answer)
            break;
        char buffer[mnos::name_service::MAX_NAME + 1];
        if (auto name = mnos::names::unpack(answer->words, buffer))
            mnos::println("{}", *name);
    }
}

// kill SERVICE: init ends it and restarts it as its manifest says.
void kill(const Command& command) {
    if (command.count != 2)
        return mnos::println("usage: kill SERVICE");
    auto words = mnos::names::pack(command.words[1]);
    if (!words)
        return mnos::println("kill: {}: not a service name", command.words[1]);
    if (auto stopped = rpc::call(NAMES, control::StopService, *words); !stopped)
        mnos::println("kill: {}: {}", command.words[1], mnos::error_name(stopped.error()));
}

void mem(const Command&) {
    auto system = rpc::call(NAMES, control::Memory, {});
    auto mine = sys::inspect(mnos::service_caps::BUDGET);
    if (system)
        mnos::println("free: {} KiB ({} pages) in the system", system->words[0] * 4,
                      system->words[0]);
    if (mine)
        mnos::println("shell: {} KiB of its budget left for programs", mine->size * 4);
}

void uptime(const Command&) {
    auto now = mnos::clock::monotonic_ns();
    if (!now)
        return mnos::println("uptime: the TSC's frequency is unknown");
    uint64_t seconds = *now / 1'000'000'000;
    mnos::println("up {}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
}

void date(const Command&) {
    auto now = mnos::clock::wall_clock_ns();
    if (!now)
        return mnos::println("date: this machine has no wall clock");
    lib::time::CivilTime t = lib::time::civil_from_unix(*now / 1'000'000'000);
    mnos::println("{}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year, t.month, t.day, t.hour,
                  t.minute, t.second);
}

void power(control::PowerAction action) {
    auto answer = rpc::call(NAMES, control::Power, {uint64_t(action)});
    mnos::println("{}: {}", action == control::PowerAction::Reboot ? "reboot" : "poweroff",
                  answer ? "no effect" : mnos::error_name(answer.error()));
}
void reboot(const Command&) { power(control::PowerAction::Reboot); }
void poweroff(const Command&) { power(control::PowerAction::PowerOff); }

constexpr Builtin BUILTINS[] = {
    {"help", "help               this list", help},
    {"ls", "ls [DIR]           the initrd's files", ls},
    {"cat", "cat FILE...        a file's contents", cat},
    {"echo", "echo WORDS...      the words", echo},
    {"ps", "ps                 processes: services, the shell", ps},
    {"services", "services           the names services registered", services},
    {"kill", "kill SERVICE       end a service (init restarts it)", kill},
    {"mem", "mem                free memory", mem},
    {"date", "date               the time of day (UTC)", date},
    {"uptime", "uptime             time since boot", uptime},
    {"reboot", "reboot             restart the machine", reboot},
    {"poweroff", "poweroff           turn the machine off", poweroff},
};

void help(const Command&) {
    mnos::println("Built-in commands:");
    for (const Builtin& b : BUILTINS)
        mnos::println("  {}", b.usage);
    mnos::println("  exit               end the shell (init starts a new one)");
    mnos::println("Anything else runs /bin/NAME (or a path) from the initrd with its arguments;");
    mnos::println("ctrl-C ends it. 'ls /bin' lists the programs.");
}

} // namespace

bool run_builtin(const Command& command) {
    for (const Builtin& b : BUILTINS)
        if (StringView(command.words[0]) == StringView(b.name)) {
            b.run(command);
            return true;
        }
    return false;
}

} // namespace shell
