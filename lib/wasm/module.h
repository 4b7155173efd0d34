// The decoded, validated and compiled form of a module (engine-internal).
#pragma once

#include <cstdint>

#include "lib/vector.h"
#include "lib/wasm/engine.h"
#include "lib/wasm/reader.h"

namespace wasm {

struct Limits {
    uint32_t min = 0;
    uint32_t max = 0;
    bool has_max = false;
};

struct TableDesc {
    ValType elem = ValType::FuncRef;
    Limits limits;
};

struct GlobalDesc {
    ValType type = ValType::I32;
    bool is_mutable = false;
};

// A constant expression (Wasm 2.0: one constant, ref.null, ref.func or global.get).
struct ConstExpr {
    enum class Kind : uint8_t { Value, RefFunc, GlobalGet } kind = Kind::Value;
    uint64_t value = 0; // the constant's bits, the function index or the global index
};

struct ImportDesc {
    Name module;
    Name field;
    ExternKind kind = ExternKind::Func;
    uint32_t type_index = 0; // functions
    TableDesc table;
    Limits memory;
    GlobalDesc global;
};

struct ExportDesc {
    Name name;
    ExternKind kind = ExternKind::Func;
    uint32_t index = 0;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
    SegmentMode mode = SegmentMode::Passive;
    uint32_t table = 0;
    ConstExpr offset;
    ValType type = ValType::FuncRef;
    lib::Vector<ConstExpr> items;
};

struct DataSegment {
    SegmentMode mode = SegmentMode::Passive;
    uint32_t memory = 0;
    ConstExpr offset;
    const uint8_t* bytes = nullptr; // into Module::bytes
    uint32_t size = 0;
};

// One compiled function: its internal code and frame layout. Slots 0..num_params-1 hold the
// arguments, up to num_locals-1 the other locals (zeroed on entry), then the operand stack.
struct CompiledCode {
    const uint32_t* code = nullptr;
    uint32_t code_offset = 0; // into Module::code, until the code is final
    uint32_t num_params = 0;
    uint32_t num_locals = 0; // including the parameters
    uint32_t frame_slots = 0;
    uint32_t num_results = 0;
    uint32_t body_offset = 0; // the Wasm body (locals and expression) in Module::bytes
    uint32_t body_size = 0;
    const void* jit_entry = nullptr; // machine code, when the compiler tier covers it
};

class Module {
public:
    explicit Module(Store* s)
        : store(s), types(&s->allocator()), imports(&s->allocator()),
          func_types(&s->allocator()), tables(&s->allocator()), memories(&s->allocator()),
          globals(&s->allocator()), global_inits(&s->allocator()), exports(&s->allocator()),
          elems(&s->allocator()), datas(&s->allocator()), codes(&s->allocator()),
          code(&s->allocator()), declared_funcs(&s->allocator()) {}
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    Store* store;
    const uint8_t* bytes = nullptr; // a copy of the binary, owned by the Store
    size_t size = 0;

    lib::Vector<const FuncType*> types;
    lib::Vector<ImportDesc> imports;
    lib::Vector<uint32_t> func_types; // type index of every function, imports first
    lib::Vector<TableDesc> tables;    // imports first, as for all index spaces
    lib::Vector<Limits> memories;
    lib::Vector<GlobalDesc> globals;
    lib::Vector<ConstExpr> global_inits; // for the defined globals
    lib::Vector<ExportDesc> exports;
    lib::Vector<ElemSegment> elems;
    lib::Vector<DataSegment> datas;
    lib::Vector<CompiledCode> codes; // for the defined functions
    lib::Vector<uint32_t> code;      // all compiled functions, back to back
    lib::Vector<uint8_t> declared_funcs; // 1 where ref.func may name the function

    uint32_t num_imported_funcs = 0;
    uint32_t num_imported_tables = 0;
    uint32_t num_imported_memories = 0;
    uint32_t num_imported_globals = 0;
    bool has_start = false;
    uint32_t start = 0;
    bool has_data_count = false;
    uint32_t data_count = 0;
    struct JitModule* jit = nullptr; // the compiler tier's code (x64/jit.h), if any
    // The custom "name" section's contents in `bytes` (size 0 without one); read only to
    // name the function a trap happened in (names.cpp).
    uint32_t names_offset = 0;
    uint32_t names_size = 0;
};

// Decodes, validates and compiles `bytes` into `m` (decoder.cpp).
bool decode_module(Module& m, std::span<const uint8_t> bytes, LoadError& err);

// Validates and compiles the body of defined function `index` (compiler.cpp). `body` covers
// the locals and the expression; on success the code is appended to m.code.
bool compile_function(Module& m, uint32_t index, Reader& body, LoadError& err);

// Reads a value type byte; false if it is not one.
bool decode_valtype(uint8_t byte, ValType& out);

} // namespace wasm
