#include "lib/wasm/x64/jit_helpers.h"

#include "lib/wasm/module.h"
#include "lib/wasm/ops.h"

namespace wasm::jit {
namespace {

using namespace num;

template <typename T> T get(const uint64_t* s, size_t i) {
    T v;
    // Values live in the low bytes of their 64-bit slot (x86-64 is little-endian).
    __builtin_memcpy(&v, &s[i], sizeof(T));
    return v;
}
template <typename T> void put(uint64_t* s, size_t i, T v) {
    uint64_t bits = 0;
    __builtin_memcpy(&bits, &v, sizeof(T));
    s[i] = bits;
}

#define JIT_UNARY(name, code, In, Out, expr)                                                       \
    TrapKind h_##name(Exec*, uint64_t* s, Instance*, uint64_t) {                                   \
        In a = get<In>(s, 0);                                                                      \
        put<Out>(s, 0, static_cast<Out>(expr));                                                    \
        return TrapKind::None;                                                                     \
    }
#define JIT_BINARY(name, code, In, Out, expr)                                                      \
    TrapKind h_##name(Exec*, uint64_t* s, Instance*, uint64_t) {                                   \
        In a = get<In>(s, 0);                                                                      \
        In b = get<In>(s, 1);                                                                      \
        put<Out>(s, 0, static_cast<Out>(expr));                                                    \
        return TrapKind::None;                                                                     \
    }
#define JIT_TRAPPING_UNARY(name, code, In, Out, expr)                                              \
    TrapKind h_##name(Exec*, uint64_t* s, Instance*, uint64_t) {                                   \
        In a = get<In>(s, 0);                                                                      \
        Out r{};                                                                                   \
        TrapKind t = expr;                                                                         \
        put<Out>(s, 0, r);                                                                         \
        return t;                                                                                  \
    }
#define JIT_TRAPPING_BINARY(name, code, In, Out, expr)                                             \
    TrapKind h_##name(Exec*, uint64_t* s, Instance*, uint64_t) {                                   \
        In a = get<In>(s, 0);                                                                      \
        In b = get<In>(s, 1);                                                                      \
        Out r{};                                                                                   \
        TrapKind t = expr;                                                                         \
        put<Out>(s, 0, r);                                                                         \
        return t;                                                                                  \
    }
WASM_UNARY_OPS(JIT_UNARY)
WASM_SAT_OPS(JIT_UNARY)
WASM_BINARY_OPS(JIT_BINARY)
WASM_TRAPPING_UNARY_OPS(JIT_TRAPPING_UNARY)
WASM_TRAPPING_BINARY_OPS(JIT_TRAPPING_BINARY)

} // namespace

Helper numeric_helper(uint8_t opcode) {
    switch (opcode) {
#define JIT_CASE(name, code, ...)                                                                  \
    case code: return &h_##name;
        WASM_UNARY_OPS(JIT_CASE)
        WASM_BINARY_OPS(JIT_CASE)
        WASM_TRAPPING_UNARY_OPS(JIT_CASE)
        WASM_TRAPPING_BINARY_OPS(JIT_CASE)
    default: return nullptr;
    }
}

Helper sat_helper(uint32_t sub) {
    switch (sub) {
        WASM_SAT_OPS(JIT_CASE)
#undef JIT_CASE
    default: return nullptr;
    }
}

TrapKind call_function(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm) {
    // Compiled code passes the Function* it loaded from a table as the immediate.
    auto* f = reinterpret_cast<Function*>(static_cast<uintptr_t>(imm));
    size_t np = f->type->params.size(), nr = f->type->results.size();
    size_t need = np > nr ? np : nr;
    // The interpreter's value stack is free from ex->reentry on (see Store::call).
    uint64_t* fp = ex->reentry;
    if (fp + need > ex->stack_end)
        return TrapKind::CallStackExhausted;
    for (size_t i = 0; i < np; ++i)
        fp[i] = slots[i];
    Instance* saved = ex->inst;
    ex->inst = inst; // the caller a host function sees
    TrapKind t = run_function(ex, f, fp);
    ex->inst = saved;
    if (t != TrapKind::None)
        return t;
    for (size_t i = 0; i < nr; ++i)
        slots[i] = fp[i];
    return TrapKind::None;
}

TrapKind call_index(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm) {
    Function* f = inst->funcs[imm];
    return call_function(ex, slots, inst, reinterpret_cast<uintptr_t>(f));
}

TrapKind memory_grow(Exec*, uint64_t* s, Instance* inst, uint64_t) {
    auto old = inst->memory0->grow(get<u32>(s, 0));
    put<u32>(s, 0, old ? *old : 0xffffffffu);
    return TrapKind::None;
}

TrapKind memory_fill(Exec*, uint64_t* s, Instance* inst, uint64_t) {
    return wasm::memory_fill(inst->memory0, get<u32>(s, 0), get<u32>(s, 1), get<u32>(s, 2));
}

TrapKind memory_copy(Exec*, uint64_t* s, Instance* inst, uint64_t) {
    return wasm::memory_copy(inst->memory0, get<u32>(s, 0), get<u32>(s, 1), get<u32>(s, 2));
}

TrapKind memory_init(Exec*, uint64_t* s, Instance* inst, uint64_t seg) {
    return wasm::memory_init(inst, static_cast<uint32_t>(seg), get<u32>(s, 0), get<u32>(s, 1),
                             get<u32>(s, 2));
}

TrapKind data_drop(Exec*, uint64_t*, Instance* inst, uint64_t seg) {
    inst->datas[seg].size = 0;
    return TrapKind::None;
}

} // namespace wasm::jit
