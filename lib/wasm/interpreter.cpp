// The interpreter: one handler per internal instruction, chained by guaranteed tail calls.
//
// Every handler has the same signature (ip, fp, ex, mem, mem_size), so the instruction
// pointer, the frame pointer and the linear memory's base and size stay in registers across
// the whole chain, and [[clang::musttail]] turns each dispatch into an indirect jump. A Wasm
// call pushes a Frame on the engine's frame stack and jumps into the callee; it never recurses
// on the host stack. A trap returns its kind straight back to run_function.
#include "lib/wasm/exec.h"
#include "lib/wasm/ops.h"
#include "lib/wasm/x64/jit.h"

namespace wasm {
namespace {

using namespace num;

template <typename T> inline T get(const uint64_t* fp, uint32_t slot) {
    T v;
    // Values live in the low bytes of their 64-bit slot (x86-64 is little-endian).
    __builtin_memcpy(&v, &fp[slot], sizeof(T));
    return v;
}
template <typename T> inline void put(uint64_t* fp, uint32_t slot, T v) {
    uint64_t bits = 0;
    __builtin_memcpy(&bits, &v, sizeof(T));
    fp[slot] = bits;
}

#define HANDLER(name)                                                                              \
    TrapKind h_##name(const uint32_t* ip, uint64_t* fp, Exec* ex, uint8_t* mem, uint64_t msize)

#define DISPATCH()                                                                                 \
    do {                                                                                           \
        Handler next_;                                                                             \
        /* The compiler stored the handler's address in these two words (see compiler.cpp). */   \
        __builtin_memcpy(&next_, ip, sizeof(next_));                                               \
        [[clang::musttail]] return next_(ip, fp, ex, mem, msize);                                  \
    } while (0)

#define NEXT(n)                                                                                    \
    do {                                                                                           \
        ip += (n);                                                                                 \
        DISPATCH();                                                                                \
    } while (0)

#define RELOAD_MEMORY()                                                                            \
    do {                                                                                           \
        Memory* m_ = ex->inst->memory0;                                                            \
        mem = m_ ? m_->bytes : nullptr;                                                            \
        msize = m_ ? m_->size : 0;                                                                 \
    } while (0)

// Jump by the relative offset stored in word k of the instruction.
#define JUMP(k)                                                                                    \
    do {                                                                                           \
        ip = ip + (k) + static_cast<int32_t>(ip[k]);                                               \
        DISPATCH();                                                                                \
    } while (0)

#define UNARY(name, code, In, Out, expr)                                                           \
    HANDLER(name) {                                                                                \
        In a = get<In>(fp, ip[3]);                                                                 \
        put<Out>(fp, ip[2], static_cast<Out>(expr));                                               \
        NEXT(4);                                                                                   \
    }
#define BINARY(name, code, In, Out, expr)                                                          \
    HANDLER(name) {                                                                                \
        In a = get<In>(fp, ip[3]);                                                                 \
        In b = get<In>(fp, ip[4]);                                                                 \
        put<Out>(fp, ip[2], static_cast<Out>(expr));                                               \
        NEXT(5);                                                                                   \
    }
// The constant operand is stored as 64 bits in two words; a 32-bit type uses the low half.
template <typename T> inline T imm(const uint32_t* p) {
    uint64_t bits = static_cast<uint64_t>(p[0]) | static_cast<uint64_t>(p[1]) << 32;
    T v;
    __builtin_memcpy(&v, &bits, sizeof(T));
    return v;
}
#define BINARY_IMM(name, code, In, Out, expr)                                                      \
    HANDLER(name##Imm) {                                                                           \
        In a = get<In>(fp, ip[3]);                                                                 \
        In b = imm<In>(ip + 4);                                                                    \
        put<Out>(fp, ip[2], static_cast<Out>(expr));                                               \
        NEXT(6);                                                                                   \
    }
#define TRAPPING_UNARY(name, code, In, Out, expr)                                                  \
    HANDLER(name) {                                                                                \
        In a = get<In>(fp, ip[3]);                                                                 \
        Out r;                                                                                     \
        TrapKind t = expr;                                                                         \
        if (t != TrapKind::None) [[unlikely]]                                                      \
            return t;                                                                              \
        put<Out>(fp, ip[2], r);                                                                    \
        NEXT(4);                                                                                   \
    }
#define TRAPPING_BINARY(name, code, In, Out, expr)                                                 \
    HANDLER(name) {                                                                                \
        In a = get<In>(fp, ip[3]);                                                                 \
        In b = get<In>(fp, ip[4]);                                                                 \
        Out r;                                                                                     \
        TrapKind t = expr;                                                                         \
        if (t != TrapKind::None) [[unlikely]]                                                      \
            return t;                                                                              \
        put<Out>(fp, ip[2], r);                                                                    \
        NEXT(5);                                                                                   \
    }
// One comparison covers the access: ea is at most 2^33, so ea + size cannot wrap.
#define LOAD(name, code, T, Read, Out)                                                             \
    HANDLER(name) {                                                                                \
        uint64_t ea = static_cast<uint64_t>(get<u32>(fp, ip[3])) + ip[4];                          \
        if (ea + sizeof(Read) > msize) [[unlikely]]                                                \
            return TrapKind::MemoryOutOfBounds;                                                    \
        Read v;                                                                                    \
        __builtin_memcpy(&v, mem + ea, sizeof(Read));                                              \
        put<Out>(fp, ip[2], static_cast<Out>(v));                                                  \
        NEXT(5);                                                                                   \
    }
#define STORE(name, code, T, Write)                                                                \
    HANDLER(name) {                                                                                \
        uint64_t ea = static_cast<uint64_t>(get<u32>(fp, ip[2])) + ip[4];                          \
        if (ea + sizeof(Write) > msize) [[unlikely]]                                               \
            return TrapKind::MemoryOutOfBounds;                                                    \
        Write v = get<Write>(fp, ip[3]);                                                           \
        __builtin_memcpy(mem + ea, &v, sizeof(Write));                                             \
        NEXT(5);                                                                                   \
    }

WASM_UNARY_OPS(UNARY)
WASM_SAT_OPS(UNARY)
WASM_BINARY_OPS(BINARY)
WASM_BINARY_OPS(BINARY_IMM)
WASM_TRAPPING_UNARY_OPS(TRAPPING_UNARY)
WASM_TRAPPING_BINARY_OPS(TRAPPING_BINARY)
WASM_LOAD_OPS(LOAD)
WASM_STORE_OPS(STORE)

TrapKind call_host(Exec* ex, Function* f, uint64_t* args) {
    uint64_t results[16];
    size_t np = f->type->params.size(), nr = f->type->results.size();
    HostCall call(ex->store, ex->inst, f->user_data, args, results);
    uint64_t* saved = ex->reentry;
    ex->reentry = args + (np > nr ? np : nr);
    Instance* saved_inst = ex->inst;
    Trap t = f->host(call);
    ex->reentry = saved;
    ex->inst = saved_inst;
    if (!t.ok()) {
        ex->trap = t;
        return t.kind;
    }
    for (size_t i = 0; i < nr; ++i)
        args[i] = results[i];
    return TrapKind::None;
}

// Enters `F` with its frame at fp + BASE; execution continues at NEXT_IP after it returns.
#define DO_CALL(F, BASE, NEXT_IP)                                                                  \
    do {                                                                                           \
        Function* f_ = (F);                                                                        \
        uint64_t* nfp_ = fp + (BASE);                                                              \
        const uint32_t* next_ip_ = (NEXT_IP);                                                      \
        if (f_->host) [[unlikely]] {                                                               \
            TrapKind t_ = call_host(ex, f_, nfp_);                                                 \
            if (t_ != TrapKind::None)                                                              \
                return t_;                                                                         \
            RELOAD_MEMORY();                                                                       \
            ip = next_ip_;                                                                         \
            DISPATCH();                                                                            \
        }                                                                                          \
        const CompiledCode* c_ = f_->code;                                                         \
        if (nfp_ + c_->frame_slots > ex->stack_end || ex->frame_top == ex->frames_end)           \
            [[unlikely]]                                                                           \
            return TrapKind::CallStackExhausted;                                                   \
        for (uint32_t i_ = c_->num_params; i_ < c_->num_locals; ++i_)                              \
            nfp_[i_] = 0;                                                                          \
        *ex->frame_top++ = Frame{next_ip_, fp, ex->inst, f_};                                          \
        if (f_->instance != ex->inst) {                                                            \
            ex->inst = f_->instance;                                                               \
            RELOAD_MEMORY();                                                                       \
        }                                                                                          \
        ip = c_->code;                                                                             \
        fp = nfp_;                                                                                 \
        DISPATCH();                                                                                \
    } while (0)

#define DO_RETURN()                                                                                \
    do {                                                                                           \
        Frame* fr_ = --ex->frame_top;                                                              \
        if (!fr_->ret_ip)                                                                          \
            return TrapKind::None;                                                                 \
        ip = fr_->ret_ip;                                                                          \
        fp = fr_->fp;                                                                              \
        ex->inst = fr_->inst;                                                                      \
        RELOAD_MEMORY();                                                                           \
        DISPATCH();                                                                                \
    } while (0)

HANDLER(Unreachable) { return TrapKind::Unreachable; }
HANDLER(Br) { JUMP(2); }
HANDLER(BrIf) {
    if (get<u32>(fp, ip[2]))
        JUMP(3);
    NEXT(4);
}
HANDLER(BrUnless) {
    if (!get<u32>(fp, ip[2]))
        JUMP(3);
    NEXT(4);
}
HANDLER(BrTable) {
    uint32_t i = get<u32>(fp, ip[2]);
    uint32_t n = ip[3];
    if (i > n)
        i = n;
    JUMP(4 + i);
}
HANDLER(Copy) {
    fp[ip[2]] = fp[ip[3]];
    NEXT(4);
}
HANDLER(Const32) {
    fp[ip[2]] = ip[3];
    NEXT(4);
}
HANDLER(Const64) {
    fp[ip[2]] = static_cast<uint64_t>(ip[3]) | static_cast<uint64_t>(ip[4]) << 32;
    NEXT(5);
}
HANDLER(Return) { DO_RETURN(); }
HANDLER(Return1) {
    fp[0] = fp[ip[2]];
    DO_RETURN();
}
HANDLER(Call) { DO_CALL(ex->inst->funcs[ip[2]], ip[3], ip + 4); }
HANDLER(CallIndirect) {
    Table* t = ex->inst->tables[ip[2]];
    uint32_t i = get<u32>(fp, ip[4]);
    if (i >= t->size)
        return TrapKind::UndefinedElement;
    // funcref tables hold Function pointers (see Table).
    Function* f = reinterpret_cast<Function*>(static_cast<uintptr_t>(t->elems[i]));
    if (!f)
        return TrapKind::UninitializedElement;
    if (f->type != ex->inst->types[ip[3]])
        return TrapKind::IndirectCallTypeMismatch;
    DO_CALL(f, ip[5], ip + 6);
}
HANDLER(Select) {
    fp[ip[2]] = get<u32>(fp, ip[3]) ? fp[ip[4]] : fp[ip[5]];
    NEXT(6);
}
HANDLER(GlobalGet) {
    fp[ip[2]] = ex->inst->globals[ip[3]]->bits;
    NEXT(4);
}
HANDLER(GlobalSet) {
    ex->inst->globals[ip[3]]->bits = fp[ip[2]];
    NEXT(4);
}
HANDLER(TableGet) {
    Table* t = ex->inst->tables[ip[3]];
    uint32_t i = get<u32>(fp, ip[4]);
    if (i >= t->size)
        return TrapKind::TableOutOfBounds;
    fp[ip[2]] = t->elems[i];
    NEXT(5);
}
HANDLER(TableSet) {
    Table* t = ex->inst->tables[ip[2]];
    uint32_t i = get<u32>(fp, ip[3]);
    if (i >= t->size)
        return TrapKind::TableOutOfBounds;
    t->elems[i] = fp[ip[4]];
    NEXT(5);
}
HANDLER(TableSize) {
    put<u32>(fp, ip[2], ex->inst->tables[ip[3]]->size);
    NEXT(4);
}
HANDLER(TableGrow) {
    Table* t = ex->inst->tables[ip[3]];
    Value init{t->elem_type, fp[ip[4]]};
    auto old = t->grow(get<u32>(fp, ip[5]), init);
    put<u32>(fp, ip[2], old ? *old : 0xffffffffu);
    NEXT(6);
}
HANDLER(TableFill) {
    TrapKind t = table_fill(ex->inst->tables[ip[2]], get<u32>(fp, ip[3]), fp[ip[4]],
                            get<u32>(fp, ip[5]));
    if (t != TrapKind::None)
        return t;
    NEXT(6);
}
HANDLER(TableCopy) {
    TrapKind t = table_copy(ex->inst->tables[ip[2]], ex->inst->tables[ip[3]], get<u32>(fp, ip[4]),
                            get<u32>(fp, ip[5]), get<u32>(fp, ip[6]));
    if (t != TrapKind::None)
        return t;
    NEXT(7);
}
HANDLER(TableInit) {
    TrapKind t = table_init(ex->inst, ip[2], ip[3], get<u32>(fp, ip[4]), get<u32>(fp, ip[5]),
                            get<u32>(fp, ip[6]));
    if (t != TrapKind::None)
        return t;
    NEXT(7);
}
HANDLER(ElemDrop) {
    ex->inst->elems[ip[2]].size = 0;
    NEXT(3);
}
HANDLER(MemorySize) {
    put<u32>(fp, ip[2], static_cast<u32>(msize / kPageSize));
    NEXT(3);
}
// Bulk operations cost fuel by length as well (one unit per 64 bytes), so a budget bounds the
// work they do and not just the number of instructions that start it.
bool charge_bulk(Exec* ex, uint32_t length) {
    if (!ex->store->config().fuel)
        return true;
    uint64_t cost = length >> 6;
    if (ex->fuel < cost) {
        ex->fuel = 0;
        return false;
    }
    ex->fuel -= cost;
    return true;
}

HANDLER(MemoryGrow) {
    auto old = ex->inst->memory0->grow(get<u32>(fp, ip[3]));
    put<u32>(fp, ip[2], old ? *old : 0xffffffffu);
    RELOAD_MEMORY();
    NEXT(4);
}
HANDLER(MemoryFill) {
    if (!charge_bulk(ex, get<u32>(fp, ip[4]))) [[unlikely]]
        return TrapKind::OutOfFuel;
    TrapKind t = memory_fill(ex->inst->memory0, get<u32>(fp, ip[2]), get<u32>(fp, ip[3]),
                             get<u32>(fp, ip[4]));
    if (t != TrapKind::None)
        return t;
    NEXT(5);
}
HANDLER(MemoryCopy) {
    if (!charge_bulk(ex, get<u32>(fp, ip[4]))) [[unlikely]]
        return TrapKind::OutOfFuel;
    TrapKind t = memory_copy(ex->inst->memory0, get<u32>(fp, ip[2]), get<u32>(fp, ip[3]),
                             get<u32>(fp, ip[4]));
    if (t != TrapKind::None)
        return t;
    NEXT(5);
}
HANDLER(MemoryInit) {
    if (!charge_bulk(ex, get<u32>(fp, ip[5]))) [[unlikely]]
        return TrapKind::OutOfFuel;
    TrapKind t = memory_init(ex->inst, ip[2], get<u32>(fp, ip[3]), get<u32>(fp, ip[4]),
                             get<u32>(fp, ip[5]));
    if (t != TrapKind::None)
        return t;
    NEXT(6);
}
HANDLER(DataDrop) {
    ex->inst->datas[ip[2]].size = 0;
    NEXT(3);
}
HANDLER(RefNull) {
    fp[ip[2]] = 0;
    NEXT(3);
}
HANDLER(RefIsNull) {
    fp[ip[2]] = fp[ip[3]] == 0;
    NEXT(4);
}
HANDLER(RefFunc) {
    // A funcref value is the Function's address.
    fp[ip[2]] = reinterpret_cast<uintptr_t>(ex->inst->funcs[ip[3]]);
    NEXT(4);
}
HANDLER(Fuel) {
    if (ex->fuel < ip[2]) [[unlikely]] {
        ex->fuel = 0;
        return TrapKind::OutOfFuel;
    }
    ex->fuel -= ip[2];
    NEXT(3);
}
HANDLER(I32EqzBrIf) {
    if (get<u32>(fp, ip[2]) == 0)
        JUMP(3);
    NEXT(4);
}
HANDLER(I32EqzBrUnless) {
    if (get<u32>(fp, ip[2]) != 0)
        JUMP(3);
    NEXT(4);
}

#define FUSED(name, cond)                                                                          \
    HANDLER(name##BrIf) {                                                                          \
        u32 a = get<u32>(fp, ip[2]), b = get<u32>(fp, ip[3]);                                      \
        if (cond)                                                                                  \
            JUMP(4);                                                                               \
        NEXT(5);                                                                                   \
    }                                                                                              \
    HANDLER(name##BrUnless) {                                                                      \
        u32 a = get<u32>(fp, ip[2]), b = get<u32>(fp, ip[3]);                                      \
        if (!(cond))                                                                               \
            JUMP(4);                                                                               \
        NEXT(5);                                                                                   \
    }                                                                                              \
    HANDLER(name##ImmBrIf) {                                                                       \
        u32 a = get<u32>(fp, ip[2]), b = ip[3];                                                    \
        if (cond)                                                                                  \
            JUMP(5);                                                                               \
        NEXT(6);                                                                                   \
    }                                                                                              \
    HANDLER(name##ImmBrUnless) {                                                                   \
        u32 a = get<u32>(fp, ip[2]), b = ip[3];                                                    \
        if (!(cond))                                                                               \
            JUMP(5);                                                                               \
        NEXT(6);                                                                                   \
    }
WASM_FUSED_COMPARES(FUSED)

} // namespace

#define WASM_HANDLER_ENTRY(name, ...) &h_##name,
#define WASM_HANDLER_ENTRY1(name) &h_##name,
#define WASM_HANDLER_ENTRY_IMM(name, ...) &h_##name##Imm,
const Handler kHandlers[static_cast<size_t>(Op::Count)] = {
    WASM_UNARY_OPS(WASM_HANDLER_ENTRY) WASM_BINARY_OPS(WASM_HANDLER_ENTRY)
        WASM_TRAPPING_BINARY_OPS(WASM_HANDLER_ENTRY) WASM_TRAPPING_UNARY_OPS(WASM_HANDLER_ENTRY)
            WASM_SAT_OPS(WASM_HANDLER_ENTRY) WASM_LOAD_OPS(WASM_HANDLER_ENTRY)
                WASM_STORE_OPS(WASM_HANDLER_ENTRY) WASM_CONTROL_OPS(WASM_HANDLER_ENTRY1)
                    WASM_BINARY_OPS(WASM_HANDLER_ENTRY_IMM)
#define WASM_HANDLER_ENTRY_FUSED(name, cond)                                                       \
    &h_##name##BrIf, &h_##name##BrUnless, &h_##name##ImmBrIf, &h_##name##ImmBrUnless,
                        WASM_FUSED_COMPARES(WASM_HANDLER_ENTRY_FUSED)};

TrapKind run_function(Exec* ex, Function* f, uint64_t* fp) {
    Frame* saved_top = ex->frame_top;
    Instance* saved_inst = ex->inst;
    if (f->host) {
        TrapKind t = call_host(ex, f, fp);
        return t;
    }
    const CompiledCode* c = f->code;
    if (c->jit_entry)
        return jit_run(ex, f, fp);
    if (fp + c->frame_slots > ex->stack_end || ex->frame_top == ex->frames_end)
        return TrapKind::CallStackExhausted;
    for (uint32_t i = c->num_params; i < c->num_locals; ++i)
        fp[i] = 0;
    *ex->frame_top++ = Frame{nullptr, nullptr, ex->inst, f};
    ex->inst = f->instance;
    Memory* m = ex->inst->memory0;
    Handler h;
    __builtin_memcpy(&h, c->code, sizeof(h));
    TrapKind t = h(c->code, fp, ex, m ? m->bytes : nullptr, m ? m->size : 0);
    // The top frame is the function that was running; an inner run (a host function calling
    // back into Wasm) has already recorded its own, which is where the trap happened.
    if (t != TrapKind::None && t != TrapKind::Exit && !ex->trap_function)
        ex->trap_function = (ex->frame_top - 1)->func;
    // On a trap the frames above the entry are abandoned; on success Return popped them.
    ex->frame_top = saved_top;
    ex->inst = saved_inst;
    return t;
}

} // namespace wasm
