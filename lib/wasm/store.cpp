// The Store: memory ownership, type interning, loading modules and calling functions.
#include "lib/wasm/exec.h"
#include "lib/wasm/module.h"
#include "lib/wasm/x64/jit.h"

namespace wasm {

const char* trap_message(TrapKind kind) {
    switch (kind) {
    case TrapKind::None: return "no trap";
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::CallStackExhausted: return "call stack exhausted";
    case TrapKind::OutOfFuel: return "out of fuel";
    case TrapKind::OutOfMemory: return "out of memory";
    case TrapKind::BadArguments: return "wrong number or types of arguments";
    case TrapKind::Host: return "host function failed";
    case TrapKind::Exit: return "exit";
    }
    return "unknown trap";
}

Module::~Module() { jit_release(*this); }

Store::Store(lib::Allocator& alloc, const Config& config)
    : alloc_(alloc), config_(config), memories_(&alloc), tables_(&alloc), modules_(&alloc),
      types_(&alloc) {}

Store::~Store() {
    for (Module* m : modules_)
        lib::destroy(alloc_, m);
    for (Memory* m : memories_)
        if (m->bytes)
            alloc_.deallocate(m->bytes, m->capacity, 16);
    for (Table* t : tables_)
        if (t->elems)
            alloc_.deallocate(t->elems, t->capacity * sizeof(uint64_t), alignof(uint64_t));
    if (exec_) {
        alloc_.deallocate(exec_->stack, config_.value_stack_slots * sizeof(uint64_t),
                          alignof(uint64_t));
        alloc_.deallocate(exec_->frames, (config_.max_call_depth + 1) * sizeof(Frame),
                          alignof(Frame));
        if (exec_->jit_stack)
            alloc_.deallocate(exec_->jit_stack, kJitStackBytes, 16);
    }
    while (blocks_) {
        Block* b = blocks_;
        blocks_ = b->next;
        alloc_.deallocate(b, b->size, b->align);
    }
}

void* Store::alloc_raw(size_t size, size_t align) {
    if (align < alignof(Block))
        align = alignof(Block);
    // The header is padded to `align` so that the payload after it keeps the alignment.
    size_t header = (sizeof(Block) + align - 1) & ~(align - 1);
    if (size > SIZE_MAX - header)
        return nullptr;
    size_t total = header + size;
    void* raw = alloc_.allocate(total, align);
    if (!raw)
        return nullptr;
    auto* b = static_cast<Block*>(raw);
    b->next = blocks_;
    b->size = total;
    b->align = align;
    blocks_ = b;
    auto* payload = static_cast<uint8_t*>(raw) + header;
    __builtin_memset(payload, 0, size);
    return payload;
}

const FuncType* Store::intern_type(std::span<const ValType> params,
                                   std::span<const ValType> results) {
    auto same = [](std::span<const ValType> a, std::span<const ValType> b) {
        if (a.size() != b.size())
            return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (a[i] != b[i])
                return false;
        return true;
    };
    for (const FuncType* t : types_)
        if (same(t->params, params) && same(t->results, results))
            return t;
    auto* storage = alloc_array<ValType>(params.size() + results.size());
    auto* t = static_cast<FuncType*>(alloc_raw(sizeof(FuncType), alignof(FuncType)));
    if (!storage || !t)
        return nullptr;
    for (size_t i = 0; i < params.size(); ++i)
        storage[i] = params[i];
    for (size_t i = 0; i < results.size(); ++i)
        storage[params.size() + i] = results[i];
    new (t) FuncType{{storage, params.size()}, {storage + params.size(), results.size()}};
    if (!types_.push_back(t))
        return nullptr;
    return t;
}

std::expected<Module*, LoadError> Store::load(std::span<const uint8_t> bytes) {
    Module* m = lib::make<Module>(alloc_, this);
    if (!m || !modules_.push_back(m)) {
        lib::destroy(alloc_, m);
        return std::unexpected(LoadError{LoadErrorKind::OutOfMemory, "out of memory", 0});
    }
    auto* copy = alloc_array<uint8_t>(bytes.size());
    if (!copy)
        return std::unexpected(LoadError{LoadErrorKind::OutOfMemory, "out of memory", 0});
    if (!bytes.empty())
        __builtin_memcpy(copy, bytes.data(), bytes.size());
    m->bytes = copy;
    m->size = bytes.size();
    LoadError err;
    if (!decode_module(*m, bytes, err))
        return std::unexpected(err);
    if (config_.tier == Config::Tier::Jit && config_.code_memory && !config_.fuel)
        jit_compile_module(*m, *config_.code_memory);
    return m;
}

Exec* Store::exec() {
    if (exec_)
        return exec_;
    auto* ex = static_cast<Exec*>(alloc_raw(sizeof(Exec), alignof(Exec)));
    if (!ex)
        return nullptr;
    new (ex) Exec();
    ex->store = this;
    ex->stack = static_cast<uint64_t*>(
        alloc_.allocate(config_.value_stack_slots * sizeof(uint64_t), alignof(uint64_t)));
    ex->frames = static_cast<Frame*>(
        alloc_.allocate((config_.max_call_depth + 1) * sizeof(Frame), alignof(Frame)));
    if (!ex->stack || !ex->frames) {
        if (ex->stack)
            alloc_.deallocate(ex->stack, config_.value_stack_slots * sizeof(uint64_t),
                              alignof(uint64_t));
        if (ex->frames)
            alloc_.deallocate(ex->frames, (config_.max_call_depth + 1) * sizeof(Frame),
                              alignof(Frame));
        return nullptr;
    }
    ex->stack_end = ex->stack + config_.value_stack_slots;
    ex->frame_top = ex->frames;
    // One extra frame for the embedder's entry, so max_call_depth Wasm frames fit.
    ex->frames_end = ex->frames + config_.max_call_depth + 1;
    ex->reentry = ex->stack;
    exec_ = ex;
    return ex;
}

Trap Store::call(Function* func, std::span<const Value> args, std::span<Value> results) {
    if (!func)
        return Trap::of(TrapKind::BadArguments);
    const FuncType& ft = *func->type;
    if (args.size() != ft.params.size() || results.size() != ft.results.size())
        return Trap::of(TrapKind::BadArguments);
    for (size_t i = 0; i < args.size(); ++i)
        if (args[i].type != ft.params[i])
            return Trap::of(TrapKind::BadArguments);
    Exec* ex = exec();
    if (!ex)
        return Trap::of(TrapKind::OutOfMemory);
    uint64_t* fp = ex->reentry;
    size_t need = args.size() > results.size() ? args.size() : results.size();
    if (fp + need > ex->stack_end)
        return Trap::of(TrapKind::CallStackExhausted);
    for (size_t i = 0; i < args.size(); ++i) {
        uint64_t bits = args[i].bits;
        if (ft.params[i] == ValType::I32 || ft.params[i] == ValType::F32)
            bits &= 0xffffffffu; // slots keep the upper half of 32-bit values zero
        fp[i] = bits;
    }
    // A host function may call back into Wasm; the outer call owns the fuel counter then.
    bool nested = ex->frame_top != ex->frames;
    if (!nested)
        ex->fuel = fuel_;
    ex->trap = Trap::none();
    if (!nested)
        ex->trap_function = nullptr;
    TrapKind t = run_function(ex, func, fp);
    if (!nested)
        fuel_ = ex->fuel;
    if (t != TrapKind::None) {
        Trap trap = (t == TrapKind::Host || t == TrapKind::Exit) ? ex->trap : Trap::of(t);
        trap.in_function = t == TrapKind::Exit ? nullptr : ex->trap_function;
        return trap;
    }
    for (size_t i = 0; i < results.size(); ++i) {
        uint64_t bits = fp[i];
        if (ft.results[i] == ValType::I32 || ft.results[i] == ValType::F32)
            bits &= 0xffffffffu;
        results[i] = Value{ft.results[i], bits};
    }
    return Trap::none();
}

TierInfo Store::tier_info(const Module& m) {
    TierInfo info;
    info.defined_functions = static_cast<uint32_t>(m.codes.size());
    if (m.jit)
        info.compiled_functions = m.jit->compiled_functions;
    return info;
}

size_t Store::import_count(const Module& m) { return m.imports.size(); }
ImportInfo Store::import_info(const Module& m, size_t i) {
    const ImportDesc& d = m.imports[i];
    return {d.module, d.field, d.kind,
            d.kind == ExternKind::Func ? m.types[d.type_index] : nullptr};
}
size_t Store::export_count(const Module& m) { return m.exports.size(); }
ExportInfo Store::export_info(const Module& m, size_t i) {
    return {m.exports[i].name, m.exports[i].kind};
}

} // namespace wasm
