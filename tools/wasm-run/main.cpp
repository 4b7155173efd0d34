// wasm-run: runs a WebAssembly module on MinimalOS's engine from a Linux shell.
//
//   wasm-run [--tier=interp|jit] FILE.wasm ...   the tier that runs the code (default interp;
//                                                jit compiles what the compiler covers)
//   wasm-run FILE.wasm [ARGS...]                 run the WASI command's _start; the guest's argv
//                                                is FILE.wasm ARGS...
//   wasm-run FILE.wasm --invoke NAME [ARGS...]   call the exported function NAME with ARGS
//                                                (typed by its signature), print each result
//                                                as TYPE:VALUE on a line of its own
//
// Either way the module is linked against the WASI layer (wasi_snapshot_preview1), with stdin,
// stdout and stderr passed through. Exit status: the program's own (0 when _start returns,
// else its proc_exit code); 0 after a successful --invoke; 134 when the module traps (the reason
// goes to stderr); 1 for usage, load and link errors.
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "lib/wasm/engine.h"
#include "lib/wasm/wasi/wasi.h"
#include "lib/wasm/x64/posix_code_memory.h"
#include "tools/wasm-spectest/malloc_allocator.h"
#include "tools/wasm-run/posix_host.h"
#include "tools/wasm-run/values.h"

namespace {

constexpr int kExitError = 1;
constexpr int kExitTrap = 134; // what a shell reports for an abort(), as other runtimes do

void usage() {
    std::fprintf(stderr, "usage: wasm-run [--tier=interp|jit] [--time] FILE.wasm [ARGS...]\n"
                         "       wasm-run [--tier=interp|jit] FILE.wasm --invoke NAME [ARGS...]\n");
}

const char* load_error_kind(wasm::LoadErrorKind kind) {
    switch (kind) {
    case wasm::LoadErrorKind::Malformed: return "malformed module";
    case wasm::LoadErrorKind::Invalid: return "invalid module";
    case wasm::LoadErrorKind::OutOfMemory: return "out of memory";
    case wasm::LoadErrorKind::LimitExceeded: return "module exceeds a limit";
    }
    return "cannot load";
}

std::string name_text(wasm::Name n) { return std::string(n.data, n.size); }

// "trap: KIND", then where: "in function 7 (name)" when the tier and the module say.
int report_trap(const wasm::Trap& trap) {
    auto site = wasm::Store::trap_site(trap);
    if (!site)
        std::fprintf(stderr, "wasm-run: trap: %s\n", trap.what());
    else if (site->name.size == 0)
        std::fprintf(stderr, "wasm-run: trap: %s in function %u\n", trap.what(),
                     site->function_index);
    else
        std::fprintf(stderr, "wasm-run: trap: %s in function %u (%.*s)\n", trap.what(),
                     site->function_index, int(site->name.size), site->name.data);
    return kExitTrap;
}

// Calls export `name` with arguments parsed from `texts`, prints the results.
int invoke(wasm::Store& store, wasm::Instance& instance, const std::string& name,
           const std::vector<std::string>& texts) {
    wasm::Function* fn = instance.export_func(wasm::Name(name.data(), name.size()));
    if (!fn) {
        std::fprintf(stderr, "wasm-run: no exported function '%s'\n", name.c_str());
        return kExitError;
    }
    const wasm::FuncType& type = fn->signature();
    if (texts.size() != type.params.size()) {
        std::fprintf(stderr, "wasm-run: '%s' takes %zu argument(s), got %zu\n", name.c_str(),
                     type.params.size(), texts.size());
        return kExitError;
    }
    std::vector<wasm::Value> args;
    for (size_t i = 0; i < texts.size(); ++i) {
        auto v = host::parse_value(type.params[i], texts[i]);
        if (!v) {
            std::fprintf(stderr, "wasm-run: argument %zu: '%s' is not a valid %s\n", i + 1,
                         texts[i].c_str(), host::type_name(type.params[i]));
            return kExitError;
        }
        args.push_back(*v);
    }
    std::vector<wasm::Value> results(type.results.size());
    wasm::Trap trap = store.call(fn, args, results);
    if (trap.is_exit())
        return trap.exit_code;
    if (!trap.ok())
        return report_trap(trap);
    for (const wasm::Value& v : results)
        std::printf("%s\n", host::format_value(v).c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    wasm::Config config;
    wasm::x64::PosixCodeMemory code_memory;
    config.code_memory = &code_memory;
    if (argc >= 2 && std::strncmp(argv[1], "--tier=", 7) == 0) {
        if (std::strcmp(argv[1] + 7, "jit") == 0) {
            config.tier = wasm::Config::Tier::Jit;
        } else if (std::strcmp(argv[1] + 7, "interp") != 0) {
            usage();
            return kExitError;
        }
        // The rest parses as if the option were not there.
        argv[1] = argv[0];
        ++argv;
        --argc;
    }
    // --time: how long _start ran, on stderr, the way MinimalOS's Wasm host reports it, so a
    // benchmark compares the same span of both (bench/wasm/run-os-bench).
    bool timed = argc >= 2 && std::strcmp(argv[1], "--time") == 0;
    if (timed) {
        argv[1] = argv[0];
        ++argv;
        --argc;
    }
    if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
        usage();
        return argc < 2 ? kExitError : 0;
    }
    const char* path = argv[1];
    bool invoke_mode = argc >= 3 && std::strcmp(argv[2], "--invoke") == 0;
    if (invoke_mode && argc < 4) {
        usage();
        return kExitError;
    }

    std::ifstream file(path, std::ios::binary);
    if (!file) {
        std::fprintf(stderr, "wasm-run: cannot open %s\n", path);
        return kExitError;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                               std::istreambuf_iterator<char>());

    host::MallocAllocator alloc;
    wasm::Store store(alloc, config);
    auto module = store.load(bytes);
    if (!module) {
        std::fprintf(stderr, "wasm-run: %s: %s: %s (at byte %zu)\n", path,
                     load_error_kind(module.error().kind), module.error().message,
                     module.error().offset);
        return kExitError;
    }

    // A command's argv is the module path and what follows it; --invoke gives only the path.
    std::vector<const char*> guest_args = {path};
    if (!invoke_mode)
        guest_args.insert(guest_args.end(), argv + 2, argv + argc);
    host::PosixHost posix_host;
    wasm::wasi::Wasi wasi(posix_host, {.args = guest_args, .env = {}});
    wasm::Linker linker(alloc);
    if (!wasi.define(store, linker) || !wasi.define_missing(store, **module, linker)) {
        std::fprintf(stderr, "wasm-run: out of memory while linking\n");
        return kExitError;
    }

    auto instance = store.instantiate(**module, linker);
    if (!instance) {
        const wasm::InstantiateError& e = instance.error();
        if (e.kind == wasm::InstantiateError::Kind::Trapped)
            return report_trap(e.trap);
        std::fprintf(stderr, "wasm-run: %s: %s", path, e.message);
        if (e.kind == wasm::InstantiateError::Kind::Unlinkable &&
            e.import_index < wasm::Store::import_count(**module)) {
            wasm::ImportInfo import = wasm::Store::import_info(**module, e.import_index);
            std::fprintf(stderr, " (import %s.%s)", name_text(import.module).c_str(),
                         name_text(import.field).c_str());
        }
        std::fprintf(stderr, "\n");
        return kExitError;
    }

    if (invoke_mode)
        return invoke(store, **instance, argv[3], std::vector<std::string>(argv + 4, argv + argc));

    if (!(*instance)->export_func(wasm::wasi::kStartName)) {
        std::fprintf(stderr, "wasm-run: %s exports no _start (use --invoke NAME)\n", path);
        return kExitError;
    }
    timespec start{}, end{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    wasm::Trap trap = wasi.run_start(**instance);
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (timed)
        std::fprintf(stderr, "wasm-run: %s: ran in %lld us\n", path,
                     (long long)((end.tv_sec - start.tv_sec) * 1'000'000 +
                                 (end.tv_nsec - start.tv_nsec) / 1000));
    if (trap.ok() || trap.is_exit())
        return wasm::wasi::exit_status(trap);
    return report_trap(trap);
}
