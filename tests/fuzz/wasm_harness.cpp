// The body of the wasm_fuzz target, shared with the regression tests of the inputs it found
// (tests/wasm/fuzz_regression_test.cpp). See wasm_harness.h.
#include "tests/fuzz/wasm_harness.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lib/wasm/engine.h"
#include "lib/wasm/wasi/wasi.h"
#include "tools/wasm-spectest/malloc_allocator.h"

namespace fuzz {

namespace {

using namespace wasm;

// Bounds on what one input may cost, so that every run ends quickly and within libFuzzer's
// memory limit: 16 MiB of linear memory, a shallow stack, and about a million instructions
// per exported function.
constexpr uint32_t kFuzzMaxPages = 256;
constexpr uint64_t kFuelPerCall = 1'000'000;

// A WASI host with no outside world: output vanishes, input is empty, time stands still.
class NullHost final : public wasi::WasiHost {
public:
    wasi::IoResult write(uint32_t, std::span<const uint8_t> bytes) override {
        return bytes.size();
    }
    wasi::IoResult read(uint32_t, std::span<uint8_t>) override { return size_t{0}; }
    wasi::TimeResult clock_time(wasi::ClockId, uint64_t) override { return uint64_t{1}; }
    wasi::TimeResult clock_resolution(wasi::ClockId) override { return uint64_t{1}; }
    wasi::Errno random(std::span<uint8_t> bytes) override {
        for (uint8_t& b : bytes)
            b = 0x5a;
        return wasi::Errno::Success;
    }
};

// Any other imported function: returns zeros of its result types. Its user data is the
// import's FuncType, interned in the Store that outlives every call.
Trap zero_stub(HostCall& call) {
    const auto* type = static_cast<const FuncType*>(call.user_data());
    for (size_t i = 0; i < type->results.size(); ++i)
        call.set_bits(i, 0);
    return Trap::none();
}

bool define_stubs(Store& store, const Module& module, Linker& linker) {
    for (size_t i = 0; i < Store::import_count(module); ++i) {
        ImportInfo import = Store::import_info(module, i);
        if (import.kind != ExternKind::Func || !import.func_type ||
            linker.resolve(import.module, import.field, ExternKind::Func))
            continue;
        // The FuncType is const in the Store; the stub only reads it back through user data.
        void* type = const_cast<FuncType*>(import.func_type);
        if (!linker.define_host(store, import.module, import.field, import.func_type->params,
                                import.func_type->results, zero_stub, type))
            return false;
    }
    return true;
}

void call_exports(Store& store, const Module& module, Instance& instance) {
    for (size_t i = 0; i < Store::export_count(module); ++i) {
        ExportInfo info = Store::export_info(module, i);
        if (info.kind != ExternKind::Func)
            continue;
        Function* fn = instance.export_func(info.name);
        if (!fn)
            continue;
        const FuncType& type = fn->signature();
        std::vector<Value> args;
        for (ValType t : type.params)
            args.push_back(Value{t, 0});
        std::vector<Value> results(type.results.size());
        store.set_fuel(kFuelPerCall);
        (void)store.call(fn, args, results); // any trap is a fine outcome
    }
}

} // namespace

void run_wasm_module(std::span<const uint8_t> bytes) {
    host::MallocAllocator alloc;
    Config config;
    config.fuel = true;
    config.max_memory_pages = kFuzzMaxPages;
    config.max_table_elements = 100'000;
    config.max_call_depth = 500;
    config.value_stack_slots = 1u << 16;
    Store store(alloc, config);

    auto module = store.load(bytes);
    if (!module)
        return;

    NullHost host;
    const char* argv[] = {"fuzz.wasm"};
    wasi::Wasi wasi(host, {.args = argv, .env = {}});
    Linker linker(alloc);
    if (!wasi.define(store, linker) || !define_stubs(store, **module, linker))
        return;
    auto instance = store.instantiate(**module, linker);
    if (!instance)
        return;
    call_exports(store, **module, **instance);
}

} // namespace fuzz
