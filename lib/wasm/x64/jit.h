// The compiler tier: Wasm functions translated to x86-64 machine code (engine-internal).
// See docs/wasm-engine.md, "The compiler tier".
#pragma once

#include <cstdint>

#include "lib/wasm/code_memory.h"
#include "lib/wasm/exec.h"

namespace wasm {

// The machine code of one module: entry trampoline, functions and trap stubs in one region.
struct JitModule {
    // The trampoline (see x64/jit_compiler.cpp, emit_trampoline): runs `code` with `slots`
    // arguments from `args` on the stack that ends at `stack_top` (nullptr: the current one)
    // and writes the results back over the arguments.
    using Entry = TrapKind (*)(Exec* ex, Instance* inst, const void* code, uint64_t* args,
                               uint8_t* stack_top, uint64_t slots);
    CodeMemory* memory = nullptr;
    CodeMemory::Region region;
    Entry entry = nullptr;
    uint32_t compiled_functions = 0; // defined functions with machine code
    uint32_t defined_functions = 0;
};

// Compiles every function of `m` the compiler covers and sets its CompiledCode::jit_entry.
// Functions it does not cover keep only the interpreter's code. Does nothing when there is no
// CodeMemory or the code cannot be mapped: the whole module then runs on the interpreter.
void jit_compile_module(Module& m, CodeMemory& memory);
void jit_release(Module& m);

// Runs `f` (which has jit_entry) with its arguments in fp[0..params), results to fp[0..).
TrapKind jit_run(Exec* ex, Function* f, uint64_t* fp);

// The stack compiled code runs on, and how much of it stays free for helpers and host code.
constexpr size_t kJitStackBytes = 8u << 20;
constexpr size_t kJitStackReserve = 256u << 10;

} // namespace wasm
