// The embedding API of the WebAssembly engine.
//
//   Store store(allocator, config);            // owns everything below until it is destroyed
//   auto mod = store.load(bytes);              // decode + validate + compile, or a LoadError
//   Linker linker(allocator);                  // an ImportResolver over named definitions
//   linker.define_host("env", "log", params, results, &log_fn, user_data);
//   auto inst = store.instantiate(**mod, linker);
//   Value out[1];
//   Trap t = (*inst)->call("add", args, out);  // t.ok(), t.is_exit() or a trap
//
// Functions, memories, tables and globals are shared by pointer: an export of one instance can
// be handed to the instantiation of another (Linker::define_instance does this by name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <new>
#include <type_traits>

#include "lib/allocator.h"
#include "lib/wasm/code_memory.h"
#include "lib/vector.h"
#include "lib/wasm/types.h"

namespace wasm {

class Store;
class Module;
struct Instance;
struct CompiledCode;
struct Exec;

constexpr uint32_t kPageSize = 65536;
constexpr uint32_t kMaxPages = 65536;

// Limits the embedder sets for everything run in one Store.
struct Config {
    uint32_t max_memory_pages = kMaxPages;      // memory.grow beyond this fails (returns -1)
    uint32_t max_table_elements = 10'000'000;   // table.grow beyond this fails
    uint32_t max_call_depth = 20000;            // deeper Wasm calls trap: "call stack exhausted"
    uint32_t value_stack_slots = 1u << 20;      // 64-bit slots for locals and operands
    bool fuel = false; // compile fuel checks into code; then Store::set_fuel() bounds execution
    // Which tier runs the code. Jit compiles to machine code where the compiler covers a
    // function and needs `code_memory`; without it, with fuel, or for functions it does not
    // cover, the interpreter runs (docs/wasm-engine.md lists what the compiler covers).
    enum class Tier : uint8_t { Interp, Jit } tier = Tier::Interp;
    CodeMemory* code_memory = nullptr;
};

// The calling context a host function receives.
class HostCall {
public:
    uint32_t arg_i32(size_t i) const { return static_cast<uint32_t>(args_[i]); }
    uint64_t arg_i64(size_t i) const { return args_[i]; }
    float arg_f32(size_t i) const { return std::bit_cast<float>(arg_i32(i)); }
    double arg_f64(size_t i) const { return std::bit_cast<double>(args_[i]); }
    uint64_t arg_bits(size_t i) const { return args_[i]; }

    void set_i32(size_t i, uint32_t v) { results_[i] = v; }
    void set_i64(size_t i, uint64_t v) { results_[i] = v; }
    void set_f32(size_t i, float v) { results_[i] = std::bit_cast<uint32_t>(v); }
    void set_f64(size_t i, double v) { results_[i] = std::bit_cast<uint64_t>(v); }
    void set_bits(size_t i, uint64_t v) { results_[i] = v; }

    void* user_data() const { return user_data_; }
    // The instance whose code made the call (nullptr when the embedder called the host
    // function directly), and its memory 0 (nullptr if it has none).
    Instance* caller() const { return caller_; }
    struct Memory* memory() const;
    Store& store() const { return *store_; }

    HostCall(Store* s, Instance* caller, void* ud, const uint64_t* args, uint64_t* results)
        : store_(s), caller_(caller), user_data_(ud), args_(args), results_(results) {}

private:
    Store* store_;
    Instance* caller_;
    void* user_data_;
    const uint64_t* args_;
    uint64_t* results_;
};

// A host function: reads its arguments and writes its results through `call`. Return
// Trap::none() on success, Trap::exit(code) to stop the whole Wasm call chain (the embedder's
// Store::call returns that Trap), or Trap::host("why") to trap.
using HostFunc = Trap (*)(HostCall& call);

// The runtime objects. Their fields belong to the engine; embedders use the methods.
struct Function {
    const FuncType* type = nullptr; // interned in the Store
    Instance* instance = nullptr;   // the defining instance; nullptr for host functions
    const CompiledCode* code = nullptr;
    HostFunc host = nullptr;
    void* user_data = nullptr;

    const FuncType& signature() const { return *type; }
};

struct Memory {
    uint8_t* bytes = nullptr;
    uint64_t size = 0; // in bytes, always pages * kPageSize
    uint64_t capacity = 0; // bytes allocated at `bytes` (>= size; grow() doubles it)
    uint32_t pages = 0;
    uint32_t max_pages = kMaxPages; // declared maximum, or kMaxPages when none was declared
    bool has_max = false;
    Store* store = nullptr;

    uint8_t* data() { return bytes; }
    uint64_t size_bytes() const { return size; }
    // Bounds-checked copies; false (and nothing copied) when [addr, addr+len) is outside.
    bool read(uint64_t addr, void* dst, uint64_t len) const;
    bool write(uint64_t addr, const void* src, uint64_t len);
    // A pointer to len bytes at addr, or nullptr when out of bounds. Valid until the memory grows.
    uint8_t* span(uint64_t addr, uint64_t len) {
        return (addr <= size && len <= size - addr) ? bytes + addr : nullptr;
    }
    // Grows by delta pages; the old size in pages, or nullopt (memory.grow's -1).
    std::optional<uint32_t> grow(uint32_t delta);
};

struct Table {
    uint64_t* elems = nullptr; // Function* or externref words; 0 is null
    uint32_t size = 0;
    uint32_t capacity = 0;
    uint32_t max = 0xffffffffu;
    bool has_max = false;
    ValType elem_type = ValType::FuncRef;
    Store* store = nullptr;

    std::optional<Value> get(uint32_t i) const;
    bool set(uint32_t i, Value v); // false when out of bounds or of the wrong type
    std::optional<uint32_t> grow(uint32_t delta, Value init);
};

struct Global {
    uint64_t bits = 0;
    ValType type = ValType::I32;
    bool is_mutable = false;

    Value get() const { return {type, bits}; }
    bool set(Value v); // false for immutable globals or a wrong type
};

// One importable or exportable thing.
struct Extern {
    ExternKind kind = ExternKind::Func;
    void* ptr = nullptr; // nullptr: nothing

    static Extern func(Function* f) { return {ExternKind::Func, f}; }
    static Extern table(Table* t) { return {ExternKind::Table, t}; }
    static Extern memory(Memory* m) { return {ExternKind::Memory, m}; }
    static Extern global(Global* g) { return {ExternKind::Global, g}; }
    explicit operator bool() const { return ptr != nullptr; }
    // Each accessor returns nullptr unless the extern is of that kind; `ptr` was stored from a
    // pointer of exactly that type by the factory above, so the cast restores it.
    Function* as_func() const {
        return kind == ExternKind::Func ? static_cast<Function*>(ptr) : nullptr;
    }
    Table* as_table() const { return kind == ExternKind::Table ? static_cast<Table*>(ptr) : nullptr; }
    Memory* as_memory() const {
        return kind == ExternKind::Memory ? static_cast<Memory*>(ptr) : nullptr;
    }
    Global* as_global() const {
        return kind == ExternKind::Global ? static_cast<Global*>(ptr) : nullptr;
    }
};

// Supplies the definitions a module imports. Return an empty Extern for unknown names; the
// engine checks kinds and types itself.
class ImportResolver {
public:
    virtual Extern resolve(Name module, Name field, ExternKind kind) = 0;

protected:
    ~ImportResolver() = default;
};

struct ImportInfo {
    Name module;
    Name field;
    ExternKind kind;
    const FuncType* func_type; // for functions (interned in the module's Store)
};

struct ExportInfo {
    Name name;
    ExternKind kind;
};

// How much of a module the compiler tier covers (0 compiled with the interpreter tier).
struct TierInfo {
    uint32_t compiled_functions = 0;
    uint32_t defined_functions = 0;
};

struct InstantiateError {
    enum class Kind : uint8_t { Unlinkable, Trapped, OutOfMemory } kind = Kind::Unlinkable;
    const char* message = "";
    uint32_t import_index = 0; // for Unlinkable: which import failed
    Trap trap;                 // for Trapped: what the start function or a segment did
};

struct Instance {
    Store* store = nullptr;
    const Module* module = nullptr;
    // Index spaces (imports first). Owned by the Store; see instance.cpp.
    Function** funcs = nullptr;
    Table** tables = nullptr;
    Memory** memories = nullptr;
    Global** globals = nullptr;
    const FuncType** types = nullptr; // module type index -> interned type
    struct ElemInstance* elems = nullptr;
    struct DataInstance* datas = nullptr;
    Memory* memory0 = nullptr; // cached memories[0] for the interpreter

    Extern find_export(Name name) const;
    Function* export_func(Name name) const { return find_export(name).as_func(); }
    Memory* export_memory(Name name) const { return find_export(name).as_memory(); }
    Table* export_table(Name name) const { return find_export(name).as_table(); }
    Global* export_global(Name name) const { return find_export(name).as_global(); }
    // Calls an exported function; BadArguments when it does not exist or the types differ.
    Trap call(Name export_name, std::span<const Value> args, std::span<Value> results);
};

// Owns modules, instances and every runtime object; frees all of them when destroyed.
class Store {
public:
    explicit Store(lib::Allocator& alloc, const Config& config = {});
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Decodes, validates and compiles a binary module.
    std::expected<Module*, LoadError> load(std::span<const uint8_t> bytes);
    std::expected<Instance*, InstantiateError> instantiate(const Module& module,
                                                           ImportResolver& imports);

    Function* create_host_function(std::span<const ValType> params,
                                   std::span<const ValType> results, HostFunc fn,
                                   void* user_data);
    Memory* create_memory(uint32_t min_pages, std::optional<uint32_t> max_pages);
    Table* create_table(ValType elem_type, uint32_t min, std::optional<uint32_t> max);
    Global* create_global(ValType type, bool is_mutable, Value init);

    // Runs `func` to completion. results.size() must equal the number of results.
    Trap call(Function* func, std::span<const Value> args, std::span<Value> results);

    // Fuel (only with Config::fuel): every Wasm instruction costs about one unit; running
    // out traps with OutOfFuel.
    void set_fuel(uint64_t fuel) { fuel_ = fuel; }
    uint64_t fuel() const { return fuel_; }

    // Module metadata for embedders (e.g. to list the WASI functions a module wants).
    static size_t import_count(const Module& m);
    static ImportInfo import_info(const Module& m, size_t i);
    static size_t export_count(const Module& m);
    static ExportInfo export_info(const Module& m, size_t i);
    static TierInfo tier_info(const Module& m);
    // Where a trap happened: the function's index in its module and its name from the
    // module's "name" section (empty when the module has none). Nothing when the trap does
    // not say (Trap::in_function) or the function is a host function.
    struct TrapSite {
        uint32_t function_index;
        Name name;
    };
    static std::optional<TrapSite> trap_site(const Trap& trap);

    const Config& config() const { return config_; }
    lib::Allocator& allocator() const { return alloc_; }

    // Engine internals.
    const FuncType* intern_type(std::span<const ValType> params, std::span<const ValType> results);
    void* alloc_raw(size_t size, size_t align); // freed with the Store
    template <typename T> T* alloc_array(size_t n) {
        // Objects in Store storage are never destroyed, only freed with the Store.
        static_assert(std::is_trivially_destructible_v<T>);
        void* raw = alloc_raw(n * sizeof(T) + (n == 0), alignof(T));
        if (!raw)
            return nullptr;
        // alloc_raw returns storage aligned for T and large enough for n of them.
        T* p = static_cast<T*>(raw);
        for (size_t i = 0; i < n; ++i)
            new (&p[i]) T();
        return p;
    }
    Exec* exec();

private:
    struct Block {
        Block* next;
        size_t size;
        size_t align;
    };
    struct Owned;

    lib::Allocator& alloc_;
    Config config_;
    uint64_t fuel_ = 0;
    Block* blocks_ = nullptr;         // everything alloc_raw handed out
    lib::Vector<Memory*> memories_;   // their byte buffers live outside alloc_raw
    lib::Vector<Table*> tables_;      // likewise their element arrays
    lib::Vector<Module*> modules_;
    lib::Vector<const FuncType*> types_;
    Exec* exec_ = nullptr;
};

// A convenient ImportResolver: host definitions and instances registered under module names.
// Names are copied, so callers may pass temporaries.
class Linker final : public ImportResolver {
public:
    explicit Linker(lib::Allocator& alloc);
    ~Linker();

    bool define(Name module, Name field, Extern ext);
    bool define_host(Store& store, Name module, Name field, std::span<const ValType> params,
                     std::span<const ValType> results, HostFunc fn, void* user_data);
    // All exports of `instance` become importable as module `name` (the spec's `register`).
    bool define_instance(Name module, Instance* instance);

    Extern resolve(Name module, Name field, ExternKind kind) override;

private:
    struct Entry {
        Name module;
        Name field;
        Extern ext;
    };
    struct InstanceEntry {
        Name module;
        Instance* instance;
    };
    Name copy(Name n);

    lib::Allocator& alloc_;
    lib::Vector<Entry> entries_;
    lib::Vector<InstanceEntry> instances_;
    lib::Vector<char*> names_;
    lib::Vector<size_t> name_sizes_;
};

inline Memory* HostCall::memory() const { return caller_ ? caller_->memory0 : nullptr; }

} // namespace wasm
