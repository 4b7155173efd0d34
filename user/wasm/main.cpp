// /bin/wasm: the Wasm hypervisor's host process (docs/hypervisor.md). One runs per Wasm
// program, so each program has an address space of its own around the engine's sandbox: a trap
// or a runaway loop ends this process alone, and the shell (or whoever started it) reports it.
// The engine is lib/wasm, the same sources as the host tools, on libmnos's heap.
//
//   wasm [--allow=MODULE.FIELD]... PATH [ARGS...]       run the WASI command PATH
//   wasm [--allow=...]... PATH --invoke NAME [I32...]   call the export NAME with i32 arguments
//
// The module comes from the initrd, granted read-only: at the slot MNOS_INITRD names (the shell
// uses 4), else at the first grant (a manifest entry's `initrd`). The files WASI shows under
// "/" come from the file service (abi/fs.h): the capability the shell granted (MNOS_FS), else
// the one a service started by init looks up by name. It gets WASI preview 1
// (user/wasm/system_host.h) and only the host functions its launcher allows by name; an import
// of anything else fails instantiation with the import's name.
#include "abi/fs.h"
#include "abi/init.h"
#include "lib/wasm/engine.h"
#include "lib/wasm/wasi/wasi.h"
#include "user/libmnos/clock.h"
#include "user/libmnos/console.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/wasm/frame_code_memory.h"
#include "user/wasm/heap_allocator.h"
#include "user/wasm/host_imports.h"
#include "user/wasm/system_host.h"

namespace {

using lib::StringView;

constexpr int EXIT_ERROR = 125; // the host could not run the program at all
constexpr int EXIT_TRAP = 134;  // what a shell reports for an abort(), as other runtimes do
constexpr size_t MAX_ALLOWED = 8;
constexpr size_t MAX_ARGS = 32;

int usage() {
    mnos::println("usage: wasm [--time] [--tier=interp|jit] [--allow=MODULE.FIELD]... PATH [ARGS...] | PATH --invoke NAME [I32...]");
    return EXIT_ERROR;
}

bool parse_u32(StringView text, uint32_t& out) {
    bool negative = text.starts_with("-");
    if (negative)
        text = text.substring(1);
    if (text.is_empty())
        return false;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9' || value > 0xffffffff)
            return false;
        value = value * 10 + uint64_t(c - '0');
    }
    out = negative ? uint32_t(-int64_t(value)) : uint32_t(value);
    return true;
}

std::optional<mnos::FileService> connect_files() {
    mnos::CapSlot endpoint = mnos::environment_slot("MNOS_FS");
    bool granted = !endpoint.is_none();
    if (!granted) {
        auto found = mnos::names::lookup(mnos::fs::SERVICE, mnos::CapSlot::none());
        if (!found)
            return std::nullopt; // no name service, or no file service: no files
        endpoint = *found;
    }
    auto service = mnos::FileService::connect(endpoint);
    if (!service) {
        if (granted)
            mnos::println("wasm: no files: the file service refused: {}",
                          mnos::error_name(service.error()));
        return std::nullopt;
    }
    return std::move(*service);
}

// "trap: KIND", then where: "in function 7 (name)" when the module names its functions.
int report_trap(StringView path, const wasm::Trap& trap) {
    auto site = wasm::Store::trap_site(trap);
    if (!site)
        mnos::println("wasm: {}: trap: {}", path, trap.what());
    else if (site->name.size == 0)
        mnos::println("wasm: {}: trap: {} in function {}", path, trap.what(),
                      site->function_index);
    else
        mnos::println("wasm: {}: trap: {} in function {} ({})", path, trap.what(),
                      site->function_index, StringView(site->name.data, site->name.size));
    return EXIT_TRAP;
}

// --invoke: calls an export taking and returning i32s and prints "NAME(A, B) = R".
int invoke(wasm::Store& store, wasm::Instance& instance, StringView path, const char* name,
           int argc, char** argv) {
    wasm::Function* function = instance.export_func(name);
    if (!function) {
        mnos::println("wasm: {}: no exported function {}", path, name);
        return EXIT_ERROR;
    }
    const wasm::FuncType& type = function->signature();
    if (type.params.size() != size_t(argc) || type.results.size() > 1) {
        mnos::println("wasm: {}: {} takes {} argument(s)", path, name, type.params.size());
        return EXIT_ERROR;
    }
    wasm::Value args[MAX_ARGS];
    char shown[160];
    lib::BufferOutput out(shown, sizeof shown);
    lib::format_to(out, "{}(", name);
    for (int i = 0; i < argc; ++i) {
        uint32_t value = 0;
        if (type.params[i] != wasm::ValType::I32 || !parse_u32(argv[i], value)) {
            mnos::println("wasm: {}: argument {} is not an i32: {}", path, i + 1, argv[i]);
            return EXIT_ERROR;
        }
        args[i] = wasm::Value::i32(value);
        lib::format_to(out, "{}{}", i ? ", " : "", int32_t(value));
    }
    wasm::Value result[1];
    wasm::Trap trap = store.call(function, std::span(args, size_t(argc)),
                                 std::span(result, type.results.size()));
    if (!trap.ok())
        return report_trap(path, trap);
    if (type.results.empty())
        mnos::println("{})", out.view());
    else
        mnos::println("{}) = {}", out.view(), int32_t(result[0].bits));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    StringView allowed[MAX_ALLOWED];
    size_t allowed_count = 0;
    int first = 1;
    bool timed = false; // --time: print how long _start ran (bench/wasm/run-os-bench)
    bool compiled = false; // --tier=jit: the compiler tier, its code in W^X frames
    for (; first < argc && StringView(argv[first]).starts_with("--"); ++first) {
        if (StringView(argv[first]) == StringView("--time"))
            timed = true;
        else if (StringView(argv[first]) == StringView("--tier=jit"))
            compiled = true;
        else if (StringView(argv[first]) == StringView("--tier=interp"))
            compiled = false;
        else if (!StringView(argv[first]).starts_with("--allow="))
            return usage();
        else if (allowed_count < MAX_ALLOWED)
            allowed[allowed_count++] = StringView(argv[first]).substring(8);
    }
    if (first >= argc)
        return usage();
    StringView path(argv[first]);

    const char* reason = nullptr;
    // Started by the shell: where MNOS_INITRD says; by init from a manifest: its first grant.
    mnos::CapSlot initrd_slot = mnos::environment_slot("MNOS_INITRD");
    if (initrd_slot.is_none())
        initrd_slot = mnos::CapSlot(mnos::service_caps::FIRST_GRANT);
    auto archive = mnos::initrd::map(initrd_slot, &reason);
    if (!archive) {
        mnos::println("wasm: no initrd to load {} from{}{}", path, reason ? ": " : "",
                      reason ? reason : "");
        return EXIT_ERROR;
    }
    auto bytes = mnos::initrd::file(path);
    if (!bytes) {
        mnos::println("wasm: {}: {}", path, mnos::error_name(bytes.error()));
        return EXIT_ERROR;
    }

    wasm_host::HeapAllocator allocator;
    wasm::Config config;
    config.max_memory_pages = 256;       // 16 MiB of linear memory
    config.value_stack_slots = 1u << 16; // 512 KiB of locals and operands
    config.max_call_depth = 10000;
    wasm_host::FrameCodeMemory code_memory;
    if (compiled) {
        config.tier = wasm::Config::Tier::Jit;
        config.code_memory = &code_memory;
    }
    wasm::Store store(allocator, config);
    auto module = store.load(*bytes);
    if (!module) {
        mnos::println("wasm: {}: not a valid module: {} (at byte {})", path, module.error().message,
                      module.error().offset);
        return EXIT_ERROR;
    }

    bool invoking = first + 1 < argc && StringView(argv[first + 1]) == StringView("--invoke");
    const char* guest_args[MAX_ARGS];
    size_t guest_argc = 0;
    for (int i = first; i < argc && guest_argc < MAX_ARGS && !(invoking && i > first); ++i)
        guest_args[guest_argc++] = argv[i];
    const char* const guest_env[] = {"TERM=vt100", "HOME=/"};
    wasm_host::SystemHost system(connect_files());
    wasm::wasi::Wasi wasi(system, {std::span(guest_args, guest_argc), guest_env});
    wasm::Linker linker(allocator);
    if (!wasi.define(store, linker) || !wasi.define_missing(store, **module, linker) ||
        !wasm_host::define_allowed(store, linker, std::span(allowed, allowed_count))) {
        mnos::println("wasm: out of memory while linking");
        return EXIT_ERROR;
    }
    auto instance = store.instantiate(**module, linker);
    if (!instance) {
        const wasm::InstantiateError& e = instance.error();
        if (e.kind == wasm::InstantiateError::Kind::Trapped)
            return report_trap(path, e.trap);
        if (e.kind == wasm::InstantiateError::Kind::Unlinkable &&
            e.import_index < wasm::Store::import_count(**module)) {
            wasm::ImportInfo import = wasm::Store::import_info(**module, e.import_index);
            mnos::println("wasm: {}: import {}.{} is not granted to it", path,
                          StringView(import.module.data, import.module.size),
                          StringView(import.field.data, import.field.size));
        } else {
            mnos::println("wasm: {}: {}", path, e.message);
        }
        return EXIT_ERROR;
    }
    if (invoking) {
        if (first + 2 >= argc)
            return usage();
        return invoke(store, **instance, path, argv[first + 2], argc - first - 3, argv + first + 3);
    }
    if (!(*instance)->export_func(wasm::wasi::kStartName)) {
        mnos::println("wasm: {}: exports no _start (use --invoke NAME)", path);
        return EXIT_ERROR;
    }
    auto start = mnos::clock::monotonic_ns();
    wasm::Trap trap = wasi.run_start(**instance);
    auto end = mnos::clock::monotonic_ns();
    if (timed && start && end)
        mnos::println("wasm: {}: ran in {} us", path, (*end - *start) / 1000);
    if (trap.ok() || trap.is_exit())
        return wasm::wasi::exit_status(trap);
    return report_trap(path, trap);
}
