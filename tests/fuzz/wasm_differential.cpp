#include "tests/fuzz/wasm_differential.h"

#include "lib/wasm/engine.h"
#include "lib/wasm/x64/posix_code_memory.h"
#include "tools/wasm-spectest/malloc_allocator.h"

namespace fuzz {

namespace {

// What one tier made of f(a, b): the result or the trap, then an FNV-1a hash of the memory.
std::string outcome(wasm::Config::Tier tier, std::span<const uint8_t> bytes, uint32_t a,
                    uint32_t b) {
    host::MallocAllocator allocator;
    wasm::x64::PosixCodeMemory code_memory;
    wasm::Config config;
    config.tier = tier;
    config.code_memory = &code_memory;
    wasm::Store store(allocator, config);
    auto module = store.load(bytes);
    if (!module)
        return std::string("refused: ") + module.error().message;
    // A tier comparison that ran the interpreter twice would prove nothing.
    if (tier == wasm::Config::Tier::Jit && wasm::Store::tier_info(**module).compiled_functions == 0)
        return "not compiled by the jit";
    wasm::Linker linker(allocator);
    auto instance = store.instantiate(**module, linker);
    if (!instance)
        return "not instantiated";
    wasm::Function* f = (*instance)->export_func("f");
    wasm::Memory* m = (*instance)->export_memory("m");
    if (!f || !m)
        return "no f or m";
    wasm::Value args[] = {wasm::Value::i32(a), wasm::Value::i32(b)};
    wasm::Value result[1];
    wasm::Trap trap = store.call(f, args, result);
    std::string text = trap.ok() ? "result " + std::to_string(uint32_t(result[0].bits))
                                 : std::string("trap: ") + trap.what();
    uint64_t hash = 0xcbf29ce484222325;
    for (uint64_t i = 0; i < m->size; ++i)
        hash = (hash ^ m->bytes[i]) * 0x100000001b3;
    return text + ", memory " + std::to_string(hash);
}

} // namespace

std::string interpreter_outcome(std::span<const uint8_t> module, uint32_t a, uint32_t b) {
    return outcome(wasm::Config::Tier::Interp, module, a, b);
}

std::string compare_tiers(std::span<const uint8_t> module, uint32_t a, uint32_t b) {
    std::string reference = outcome(wasm::Config::Tier::Interp, module, a, b);
    if (reference.starts_with("refused") || reference.starts_with("no"))
        return "the interpreter: " + reference;
    std::string compiled = outcome(wasm::Config::Tier::Jit, module, a, b);
    if (compiled == reference)
        return {};
    return "interp: " + reference + " / jit: " + compiled;
}

} // namespace fuzz
