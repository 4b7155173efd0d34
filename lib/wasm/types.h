// Value types, values, traps and load errors: the vocabulary shared by the engine's public API
// and its internals.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace wasm {

enum class ValType : uint8_t {
    I32 = 0x7f,
    I64 = 0x7e,
    F32 = 0x7d,
    F64 = 0x7c,
    FuncRef = 0x70,
    ExternRef = 0x6f,
};

constexpr bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };

struct Function;

// A typed Wasm value. All types share one 64-bit payload: i32/f32 use the low 32 bits, f32/f64
// are stored as their IEEE bit patterns (so NaN payloads survive), a funcref is a Function*
// (0 = ref.null func) and an externref is an opaque embedder word (0 = ref.null extern).
struct Value {
    ValType type = ValType::I32;
    uint64_t bits = 0;

    static constexpr Value i32(uint32_t v) { return {ValType::I32, v}; }
    static constexpr Value i64(uint64_t v) { return {ValType::I64, v}; }
    static constexpr Value f32(float v) { return {ValType::F32, std::bit_cast<uint32_t>(v)}; }
    static constexpr Value f64(double v) { return {ValType::F64, std::bit_cast<uint64_t>(v)}; }
    static constexpr Value f32_bits(uint32_t b) { return {ValType::F32, b}; }
    static constexpr Value f64_bits(uint64_t b) { return {ValType::F64, b}; }
    static Value funcref(Function* f) {
        // A pointer fits the 64-bit payload on every target the engine supports.
        return {ValType::FuncRef, reinterpret_cast<uintptr_t>(f)};
    }
    static constexpr Value externref(uintptr_t v) { return {ValType::ExternRef, v}; }
    static constexpr Value null(ValType ref_type) { return {ref_type, 0}; }

    constexpr uint32_t as_i32() const { return static_cast<uint32_t>(bits); }
    constexpr uint64_t as_i64() const { return bits; }
    constexpr float as_f32() const { return std::bit_cast<float>(static_cast<uint32_t>(bits)); }
    constexpr double as_f64() const { return std::bit_cast<double>(bits); }
    Function* as_funcref() const {
        // Only funcref values are built from Function pointers (see funcref()).
        return reinterpret_cast<Function*>(static_cast<uintptr_t>(bits));
    }
    constexpr bool is_null() const { return bits == 0; }
};

// A byte string that is not necessarily NUL-terminated (module and field names).
struct Name {
    const char* data = nullptr;
    size_t size = 0;

    constexpr Name() = default;
    constexpr Name(const char* d, size_t n) : data(d), size(n) {}
    // From a C string literal or any NUL-terminated string.
    constexpr Name(const char* s) : data(s), size(__builtin_strlen(s)) {}

    friend bool operator==(Name a, Name b) {
        return a.size == b.size && (a.size == 0 || __builtin_memcmp(a.data, b.data, a.size) == 0);
    }
};

// A function signature. Within one Store equal signatures are interned to one FuncType, so
// signature checks compare pointers.
struct FuncType {
    std::span<const ValType> params;
    std::span<const ValType> results;
};

enum class TrapKind : uint8_t {
    None = 0, // not a trap: the call completed
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    UndefinedElement,
    UninitializedElement,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversion,
    CallStackExhausted,
    OutOfFuel,
    OutOfMemory,  // the embedder's allocator failed while running (e.g. growing the stack)
    BadArguments, // Store::call got arguments or result slots that do not match the signature
    Host,         // a host function failed; Trap::message says why
    Exit,         // a host function asked the instance to stop (WASI proc_exit); see exit_code
};

const char* trap_message(TrapKind kind);

// The outcome of running Wasm code. kind == None means success, Exit is a requested stop that
// is not an error of the program, everything else is a trap.
struct Trap {
    TrapKind kind = TrapKind::None;
    int32_t exit_code = 0;
    const char* message = nullptr; // for Host traps; else trap_message(kind)
    // The Wasm function that was running when it happened (Store::trap_site names it), when
    // the tier knows (both do: compiled code through its per-function trap stubs).
    const Function* in_function = nullptr;

    static constexpr Trap none() { return {}; }
    static constexpr Trap of(TrapKind k) { return {k, 0, nullptr, nullptr}; }
    static constexpr Trap exit(int32_t code) { return {TrapKind::Exit, code, nullptr, nullptr}; }
    static constexpr Trap host(const char* why) { return {TrapKind::Host, 0, why, nullptr}; }

    constexpr bool ok() const { return kind == TrapKind::None; }
    constexpr bool is_exit() const { return kind == TrapKind::Exit; }
    const char* what() const { return message ? message : trap_message(kind); }
};

// Why a module was refused. Malformed: the bytes are not a well-formed binary module (spec
// "decoding"); Invalid: well-formed but breaks a validation rule.
enum class LoadErrorKind : uint8_t { Malformed, Invalid, OutOfMemory, LimitExceeded };

struct LoadError {
    LoadErrorKind kind = LoadErrorKind::Malformed;
    const char* message = ""; // static text, e.g. "type mismatch"
    size_t offset = 0;        // byte offset in the module where the problem was found
};

} // namespace wasm
