// Engine-internal run-time state: the Wasm value and frame stacks of a Store, and the
// instance-level operations the interpreter calls out of line.
#pragma once

#include <cstdint>

#include "lib/wasm/engine.h"
#include "lib/wasm/module.h"

namespace wasm {

// Where a Wasm call returns to. ret_ip == nullptr marks the entry from the embedder.
struct Frame {
    const uint32_t* ret_ip;
    uint64_t* fp;
    Instance* inst;
    const Function* func; // the function this frame runs: a trap reports it
};

struct Exec {
    Store* store = nullptr;
    uint64_t* stack = nullptr;
    uint64_t* stack_end = nullptr;
    Frame* frames = nullptr;
    Frame* frames_end = nullptr;
    Frame* frame_top = nullptr; // next free frame
    Instance* inst = nullptr;   // instance of the running function
    uint64_t* reentry = nullptr; // where a Store::call from a host function may start
    uint64_t fuel = 0;
    Trap trap; // the details of Host and Exit traps
    const Function* trap_function = nullptr; // where the innermost trap happened
    // The compiler tier (x64/jit.h): the stack machine code runs on, where a trap unwinds to,
    // and how many entries from the embedder or host functions are active.
    uint8_t* jit_stack = nullptr;
    uintptr_t jit_stack_limit = 0;
    uint64_t jit_trap_sp = 0;
    uint32_t jit_trap_function = 0; // the defined function a trap left compiled code from, + 1
    uint32_t jit_depth = 0;
};

struct ElemInstance {
    uint64_t* items; // evaluated references
    uint32_t size;   // 0 once dropped
};

struct DataInstance {
    const uint8_t* bytes;
    uint32_t size; // 0 once dropped
};

// Runs compiled function `f` with its arguments already in fp[0..params); the results are left
// in fp[0..results).
TrapKind run_function(Exec* ex, Function* f, uint64_t* fp);

// Out-of-line instructions (instance.cpp).
TrapKind memory_fill(Memory* m, uint32_t d, uint32_t val, uint32_t n);
TrapKind memory_copy(Memory* m, uint32_t d, uint32_t s, uint32_t n);
TrapKind memory_init(Instance* inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);
TrapKind table_init(Instance* inst, uint32_t table, uint32_t seg, uint32_t d, uint32_t s,
                    uint32_t n);
TrapKind table_copy(Table* dst, Table* src, uint32_t d, uint32_t s, uint32_t n);
TrapKind table_fill(Table* t, uint32_t i, uint64_t val, uint32_t n);

} // namespace wasm
