// Entering compiled code from the engine (Store::call, the interpreter's helpers, nested calls
// from host functions).
#include "lib/wasm/module.h"
#include "lib/wasm/x64/jit.h"

namespace wasm {

TrapKind jit_run(Exec* ex, Function* f, uint64_t* fp) {
    lib::Allocator& alloc = ex->store->allocator();
    if (!ex->jit_stack) {
        ex->jit_stack = static_cast<uint8_t*>(alloc.allocate(kJitStackBytes, 16));
        if (!ex->jit_stack)
            return TrapKind::OutOfMemory;
        // Every prologue keeps its frame above this line; the reserve below it is for the
        // helpers, host functions and interpreter that compiled code calls.
        ex->jit_stack_limit = reinterpret_cast<uintptr_t>(ex->jit_stack) + kJitStackReserve;
    }
    const JitModule* jm = f->instance->module->jit;
    // The outermost entry starts at the top of the compiled-code stack; nested entries (from a
    // host function that compiled code called) continue on it below their caller.
    uint8_t* top = ex->jit_depth == 0 ? ex->jit_stack + kJitStackBytes : nullptr;
    size_t np = f->type->params.size(), nr = f->type->results.size();
    Instance* saved = ex->inst;
    ex->inst = f->instance;
    ++ex->jit_depth;
    TrapKind t = jm->entry(ex, f->instance, f->code->jit_entry, fp, top, np > nr ? np : nr);
    --ex->jit_depth;
    ex->inst = saved;
    // The function the trap left from (its stub said which), unless an inner run, a host
    // function's call back into Wasm, already named the innermost one.
    if (t != TrapKind::None && t != TrapKind::Exit && !ex->trap_function && ex->jit_trap_function)
        ex->trap_function = f->instance->funcs[f->instance->module->num_imported_funcs +
                                               ex->jit_trap_function - 1];
    ex->jit_trap_function = 0;
    return t;
}

} // namespace wasm
