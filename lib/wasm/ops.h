// The numeric instructions, described once. Each entry names the instruction, its Wasm opcode,
// the C types of its operands and result, and its semantics as an expression over `a` (and `b`).
// The validator takes the types from here and the interpreter generates one handler per entry.
// Operand types: u32 = i32, u64 = i64, f32, f64. Signedness is a matter of the expression.
#pragma once

#include "lib/wasm/numeric.h"

// X(name, opcode, operand type, result type, expression)
#define WASM_UNARY_OPS(X)                                                                          \
    X(I32Eqz, 0x45, u32, u32, a == 0)                                                              \
    X(I64Eqz, 0x50, u64, u32, a == 0)                                                              \
    X(I32Clz, 0x67, u32, u32, std::countl_zero(a))                                                 \
    X(I32Ctz, 0x68, u32, u32, std::countr_zero(a))                                                 \
    X(I32Popcnt, 0x69, u32, u32, std::popcount(a))                                                 \
    X(I64Clz, 0x79, u64, u64, std::countl_zero(a))                                                 \
    X(I64Ctz, 0x7a, u64, u64, std::countr_zero(a))                                                 \
    X(I64Popcnt, 0x7b, u64, u64, std::popcount(a))                                                 \
    X(F32Abs, 0x8b, f32, f32, fabs_(a))                                                            \
    X(F32Neg, 0x8c, f32, f32, fneg(a))                                                             \
    X(F32Ceil, 0x8d, f32, f32, fceil(a))                                                           \
    X(F32Floor, 0x8e, f32, f32, ffloor(a))                                                         \
    X(F32Trunc, 0x8f, f32, f32, ftrunc(a))                                                         \
    X(F32Nearest, 0x90, f32, f32, fnearest(a))                                                     \
    X(F32Sqrt, 0x91, f32, f32, fsqrt(a))                                                           \
    X(F64Abs, 0x99, f64, f64, fabs_(a))                                                            \
    X(F64Neg, 0x9a, f64, f64, fneg(a))                                                             \
    X(F64Ceil, 0x9b, f64, f64, fceil(a))                                                           \
    X(F64Floor, 0x9c, f64, f64, ffloor(a))                                                         \
    X(F64Trunc, 0x9d, f64, f64, ftrunc(a))                                                         \
    X(F64Nearest, 0x9e, f64, f64, fnearest(a))                                                     \
    X(F64Sqrt, 0x9f, f64, f64, fsqrt(a))                                                           \
    X(I32WrapI64, 0xa7, u64, u32, static_cast<u32>(a))                                             \
    X(I64ExtendI32S, 0xac, u32, u64, static_cast<u64>(static_cast<i64>(static_cast<i32>(a))))     \
    X(I64ExtendI32U, 0xad, u32, u64, static_cast<u64>(a))                                          \
    X(F32ConvertI32S, 0xb2, u32, f32, static_cast<f32>(static_cast<i32>(a)))                       \
    X(F32ConvertI32U, 0xb3, u32, f32, static_cast<f32>(a))                                         \
    X(F32ConvertI64S, 0xb4, u64, f32, static_cast<f32>(static_cast<i64>(a)))                       \
    X(F32ConvertI64U, 0xb5, u64, f32, static_cast<f32>(a))                                         \
    X(F32DemoteF64, 0xb6, f64, f32, static_cast<f32>(a))                                           \
    X(F64ConvertI32S, 0xb7, u32, f64, static_cast<f64>(static_cast<i32>(a)))                       \
    X(F64ConvertI32U, 0xb8, u32, f64, static_cast<f64>(a))                                         \
    X(F64ConvertI64S, 0xb9, u64, f64, static_cast<f64>(static_cast<i64>(a)))                       \
    X(F64ConvertI64U, 0xba, u64, f64, static_cast<f64>(a))                                         \
    X(F64PromoteF32, 0xbb, f32, f64, static_cast<f64>(a))                                          \
    X(I32ReinterpretF32, 0xbc, f32, u32, std::bit_cast<u32>(a))                                    \
    X(I64ReinterpretF64, 0xbd, f64, u64, std::bit_cast<u64>(a))                                    \
    X(F32ReinterpretI32, 0xbe, u32, f32, std::bit_cast<f32>(a))                                    \
    X(F64ReinterpretI64, 0xbf, u64, f64, std::bit_cast<f64>(a))                                    \
    X(I32Extend8S, 0xc0, u32, u32, static_cast<u32>(static_cast<i32>(static_cast<int8_t>(a))))    \
    X(I32Extend16S, 0xc1, u32, u32, static_cast<u32>(static_cast<i32>(static_cast<int16_t>(a))))  \
    X(I64Extend8S, 0xc2, u64, u64, static_cast<u64>(static_cast<i64>(static_cast<int8_t>(a))))    \
    X(I64Extend16S, 0xc3, u64, u64, static_cast<u64>(static_cast<i64>(static_cast<int16_t>(a))))  \
    X(I64Extend32S, 0xc4, u64, u64, static_cast<u64>(static_cast<i64>(static_cast<i32>(a))))

#define WASM_BINARY_OPS(X)                                                                         \
    X(I32Eq, 0x46, u32, u32, a == b)                                                               \
    X(I32Ne, 0x47, u32, u32, a != b)                                                               \
    X(I32LtS, 0x48, u32, u32, static_cast<i32>(a) < static_cast<i32>(b))                           \
    X(I32LtU, 0x49, u32, u32, a < b)                                                               \
    X(I32GtS, 0x4a, u32, u32, static_cast<i32>(a) > static_cast<i32>(b))                           \
    X(I32GtU, 0x4b, u32, u32, a > b)                                                               \
    X(I32LeS, 0x4c, u32, u32, static_cast<i32>(a) <= static_cast<i32>(b))                          \
    X(I32LeU, 0x4d, u32, u32, a <= b)                                                              \
    X(I32GeS, 0x4e, u32, u32, static_cast<i32>(a) >= static_cast<i32>(b))                          \
    X(I32GeU, 0x4f, u32, u32, a >= b)                                                              \
    X(I64Eq, 0x51, u64, u32, a == b)                                                               \
    X(I64Ne, 0x52, u64, u32, a != b)                                                               \
    X(I64LtS, 0x53, u64, u32, static_cast<i64>(a) < static_cast<i64>(b))                           \
    X(I64LtU, 0x54, u64, u32, a < b)                                                               \
    X(I64GtS, 0x55, u64, u32, static_cast<i64>(a) > static_cast<i64>(b))                           \
    X(I64GtU, 0x56, u64, u32, a > b)                                                               \
    X(I64LeS, 0x57, u64, u32, static_cast<i64>(a) <= static_cast<i64>(b))                          \
    X(I64LeU, 0x58, u64, u32, a <= b)                                                              \
    X(I64GeS, 0x59, u64, u32, static_cast<i64>(a) >= static_cast<i64>(b))                          \
    X(I64GeU, 0x5a, u64, u32, a >= b)                                                              \
    X(F32Eq, 0x5b, f32, u32, a == b)                                                               \
    X(F32Ne, 0x5c, f32, u32, a != b)                                                               \
    X(F32Lt, 0x5d, f32, u32, a < b)                                                                \
    X(F32Gt, 0x5e, f32, u32, a > b)                                                                \
    X(F32Le, 0x5f, f32, u32, a <= b)                                                               \
    X(F32Ge, 0x60, f32, u32, a >= b)                                                               \
    X(F64Eq, 0x61, f64, u32, a == b)                                                               \
    X(F64Ne, 0x62, f64, u32, a != b)                                                               \
    X(F64Lt, 0x63, f64, u32, a < b)                                                                \
    X(F64Gt, 0x64, f64, u32, a > b)                                                                \
    X(F64Le, 0x65, f64, u32, a <= b)                                                               \
    X(F64Ge, 0x66, f64, u32, a >= b)                                                               \
    X(I32Add, 0x6a, u32, u32, a + b)                                                               \
    X(I32Sub, 0x6b, u32, u32, a - b)                                                               \
    X(I32Mul, 0x6c, u32, u32, a * b)                                                               \
    X(I32And, 0x71, u32, u32, a & b)                                                               \
    X(I32Or, 0x72, u32, u32, a | b)                                                                \
    X(I32Xor, 0x73, u32, u32, a ^ b)                                                               \
    X(I32Shl, 0x74, u32, u32, a << (b & 31))                                                       \
    X(I32ShrS, 0x75, u32, u32, static_cast<u32>(static_cast<i32>(a) >> (b & 31)))                  \
    X(I32ShrU, 0x76, u32, u32, a >> (b & 31))                                                      \
    X(I32Rotl, 0x77, u32, u32, std::rotl(a, static_cast<int>(b & 31)))                             \
    X(I32Rotr, 0x78, u32, u32, std::rotr(a, static_cast<int>(b & 31)))                             \
    X(I64Add, 0x7c, u64, u64, a + b)                                                               \
    X(I64Sub, 0x7d, u64, u64, a - b)                                                               \
    X(I64Mul, 0x7e, u64, u64, a * b)                                                               \
    X(I64And, 0x83, u64, u64, a & b)                                                               \
    X(I64Or, 0x84, u64, u64, a | b)                                                                \
    X(I64Xor, 0x85, u64, u64, a ^ b)                                                               \
    X(I64Shl, 0x86, u64, u64, a << (b & 63))                                                       \
    X(I64ShrS, 0x87, u64, u64, static_cast<u64>(static_cast<i64>(a) >> (b & 63)))                  \
    X(I64ShrU, 0x88, u64, u64, a >> (b & 63))                                                      \
    X(I64Rotl, 0x89, u64, u64, std::rotl(a, static_cast<int>(b & 63)))                             \
    X(I64Rotr, 0x8a, u64, u64, std::rotr(a, static_cast<int>(b & 63)))                             \
    X(F32Add, 0x92, f32, f32, a + b)                                                               \
    X(F32Sub, 0x93, f32, f32, a - b)                                                               \
    X(F32Mul, 0x94, f32, f32, a * b)                                                               \
    X(F32Div, 0x95, f32, f32, a / b)                                                               \
    X(F32Min, 0x96, f32, f32, fmin_(a, b))                                                         \
    X(F32Max, 0x97, f32, f32, fmax_(a, b))                                                         \
    X(F32Copysign, 0x98, f32, f32, fcopysign(a, b))                                                \
    X(F64Add, 0xa0, f64, f64, a + b)                                                               \
    X(F64Sub, 0xa1, f64, f64, a - b)                                                               \
    X(F64Mul, 0xa2, f64, f64, a * b)                                                               \
    X(F64Div, 0xa3, f64, f64, a / b)                                                               \
    X(F64Min, 0xa4, f64, f64, fmin_(a, b))                                                         \
    X(F64Max, 0xa5, f64, f64, fmax_(a, b))                                                         \
    X(F64Copysign, 0xa6, f64, f64, fcopysign(a, b))

// Binary ops that can trap: the expression is a call returning TrapKind and storing `r`.
#define WASM_TRAPPING_BINARY_OPS(X)                                                                \
    X(I32DivS, 0x6d, u32, u32, div_s<i32>(a, b, r))                                                \
    X(I32DivU, 0x6e, u32, u32, div_u<u32>(a, b, r))                                                \
    X(I32RemS, 0x6f, u32, u32, rem_s<i32>(a, b, r))                                                \
    X(I32RemU, 0x70, u32, u32, rem_u<u32>(a, b, r))                                                \
    X(I64DivS, 0x7f, u64, u64, div_s<i64>(a, b, r))                                                \
    X(I64DivU, 0x80, u64, u64, div_u<u64>(a, b, r))                                                \
    X(I64RemS, 0x81, u64, u64, rem_s<i64>(a, b, r))                                                \
    X(I64RemU, 0x82, u64, u64, rem_u<u64>(a, b, r))

// Unary ops that can trap (float -> int), same convention.
#define WASM_TRAPPING_UNARY_OPS(X)                                                                 \
    X(I32TruncF32S, 0xa8, f32, u32, trunc_to<i32>(a, r))                                           \
    X(I32TruncF32U, 0xa9, f32, u32, trunc_to<u32>(a, r))                                           \
    X(I32TruncF64S, 0xaa, f64, u32, trunc_to<i32>(a, r))                                           \
    X(I32TruncF64U, 0xab, f64, u32, trunc_to<u32>(a, r))                                           \
    X(I64TruncF32S, 0xae, f32, u64, trunc_to<i64>(a, r))                                           \
    X(I64TruncF32U, 0xaf, f32, u64, trunc_to<u64>(a, r))                                           \
    X(I64TruncF64S, 0xb0, f64, u64, trunc_to<i64>(a, r))                                           \
    X(I64TruncF64U, 0xb1, f64, u64, trunc_to<u64>(a, r))

// Saturating conversions: prefix 0xfc, opcode is the sub-opcode.
#define WASM_SAT_OPS(X)                                                                            \
    X(I32TruncSatF32S, 0, f32, u32, static_cast<u32>(trunc_sat<i32>(a)))                           \
    X(I32TruncSatF32U, 1, f32, u32, trunc_sat<u32>(a))                                             \
    X(I32TruncSatF64S, 2, f64, u32, static_cast<u32>(trunc_sat<i32>(a)))                           \
    X(I32TruncSatF64U, 3, f64, u32, trunc_sat<u32>(a))                                             \
    X(I64TruncSatF32S, 4, f32, u64, static_cast<u64>(trunc_sat<i64>(a)))                           \
    X(I64TruncSatF32U, 5, f32, u64, trunc_sat<u64>(a))                                             \
    X(I64TruncSatF64S, 6, f64, u64, static_cast<u64>(trunc_sat<i64>(a)))                           \
    X(I64TruncSatF64U, 7, f64, u64, trunc_sat<u64>(a))

// Loads: X(name, opcode, memory type, C type read, result type)
#define WASM_LOAD_OPS(X)                                                                           \
    X(I32Load, 0x28, u32, u32, u32)                                                                \
    X(I64Load, 0x29, u64, u64, u64)                                                                \
    X(F32Load, 0x2a, f32, u32, u32)                                                                \
    X(F64Load, 0x2b, f64, u64, u64)                                                                \
    X(I32Load8S, 0x2c, u32, int8_t, i32)                                                           \
    X(I32Load8U, 0x2d, u32, uint8_t, u32)                                                          \
    X(I32Load16S, 0x2e, u32, int16_t, i32)                                                         \
    X(I32Load16U, 0x2f, u32, uint16_t, u32)                                                        \
    X(I64Load8S, 0x30, u64, int8_t, i64)                                                           \
    X(I64Load8U, 0x31, u64, uint8_t, u64)                                                          \
    X(I64Load16S, 0x32, u64, int16_t, i64)                                                         \
    X(I64Load16U, 0x33, u64, uint16_t, u64)                                                        \
    X(I64Load32S, 0x34, u64, int32_t, i64)                                                         \
    X(I64Load32U, 0x35, u64, uint32_t, u64)

// Stores: X(name, opcode, value type, C type written)
#define WASM_STORE_OPS(X)                                                                          \
    X(I32Store, 0x36, u32, uint32_t)                                                               \
    X(I64Store, 0x37, u64, uint64_t)                                                               \
    X(F32Store, 0x38, f32, uint32_t)                                                               \
    X(F64Store, 0x39, f64, uint64_t)                                                               \
    X(I32Store8, 0x3a, u32, uint8_t)                                                               \
    X(I32Store16, 0x3b, u32, uint16_t)                                                             \
    X(I64Store8, 0x3c, u64, uint8_t)                                                               \
    X(I64Store16, 0x3d, u64, uint16_t)                                                             \
    X(I64Store32, 0x3e, u64, uint32_t)

// i32 comparisons that fuse with a following br_if or if: X(name, condition over a and b).
#define WASM_FUSED_COMPARES(X)                                                                     \
    X(I32Eq, a == b)                                                                               \
    X(I32Ne, a != b)                                                                               \
    X(I32LtS, static_cast<i32>(a) < static_cast<i32>(b))                                           \
    X(I32LtU, a < b)                                                                               \
    X(I32GtS, static_cast<i32>(a) > static_cast<i32>(b))                                           \
    X(I32GtU, a > b)                                                                               \
    X(I32LeS, static_cast<i32>(a) <= static_cast<i32>(b))                                          \
    X(I32LeU, a <= b)                                                                              \
    X(I32GeS, static_cast<i32>(a) >= static_cast<i32>(b))                                          \
    X(I32GeU, a >= b)

// The remaining internal instructions, with their operand words after the handler.
#define WASM_CONTROL_OPS(X)                                                                        \
    X(Unreachable)  /* */                                                                          \
    X(Br)           /* off */                                                                      \
    X(BrIf)         /* cond off */                                                                 \
    X(BrUnless)     /* cond off */                                                                 \
    X(BrTable)      /* idx n off*(n+1) */                                                          \
    X(Copy)         /* dst src */                                                                  \
    X(Const32)      /* dst imm */                                                                  \
    X(Const64)      /* dst lo hi */                                                                \
    X(Return)       /* */                                                                          \
    X(Return1)      /* src */                                                                      \
    X(Call)         /* func base */                                                                \
    X(CallIndirect) /* table type elem base */                                                     \
    X(Select)       /* dst cond a b */                                                             \
    X(GlobalGet)    /* dst idx */                                                                  \
    X(GlobalSet)    /* src idx */                                                                  \
    X(TableGet)     /* dst table idx */                                                            \
    X(TableSet)     /* table idx val */                                                            \
    X(TableSize)    /* dst table */                                                                \
    X(TableGrow)    /* dst table init delta */                                                     \
    X(TableFill)    /* table i val n */                                                            \
    X(TableCopy)    /* dst_table src_table d s n */                                                \
    X(TableInit)    /* table elem d s n */                                                         \
    X(ElemDrop)     /* elem */                                                                     \
    X(MemorySize)   /* dst */                                                                      \
    X(MemoryGrow)   /* dst delta */                                                                \
    X(MemoryFill)   /* d val n */                                                                  \
    X(MemoryCopy)   /* d s n */                                                                    \
    X(MemoryInit)   /* seg d s n */                                                                \
    X(DataDrop)     /* seg */                                                                      \
    X(RefNull)      /* dst */                                                                      \
    X(RefIsNull)    /* dst src */                                                                  \
    X(RefFunc)      /* dst func */                                                                 \
    X(Fuel)         /* cost */                                                                     \
    X(I32EqzBrIf)   /* a off: jump if a == 0 */                                                    \
    X(I32EqzBrUnless) /* a off: jump if a != 0 */

namespace wasm {

enum class Op : uint16_t {
#define WASM_OP_ENUM(name, ...) name,
#define WASM_OP_ENUM1(name) name,
#define WASM_OP_ENUM_IMM(name, ...) name##Imm,
    WASM_UNARY_OPS(WASM_OP_ENUM) WASM_BINARY_OPS(WASM_OP_ENUM)
        WASM_TRAPPING_BINARY_OPS(WASM_OP_ENUM) WASM_TRAPPING_UNARY_OPS(WASM_OP_ENUM)
            WASM_SAT_OPS(WASM_OP_ENUM) WASM_LOAD_OPS(WASM_OP_ENUM) WASM_STORE_OPS(WASM_OP_ENUM)
                WASM_CONTROL_OPS(WASM_OP_ENUM1)
    // Binary ops whose second operand is a constant: dst a imm_lo imm_hi.
    WASM_BINARY_OPS(WASM_OP_ENUM_IMM)
    // Compare-and-branch: a b off / a imm_lo imm_hi off.
#define WASM_OP_ENUM_FUSED(name, cond) name##BrIf, name##BrUnless, name##ImmBrIf, name##ImmBrUnless,
    WASM_FUSED_COMPARES(WASM_OP_ENUM_FUSED)
#undef WASM_OP_ENUM_FUSED
#undef WASM_OP_ENUM
#undef WASM_OP_ENUM1
#undef WASM_OP_ENUM_IMM
                    Count
};

struct Exec;
// Every handler has this signature so that each can tail-call the next (see interpreter.cpp).
using Handler = TrapKind (*)(const uint32_t* ip, uint64_t* fp, Exec* ex, uint8_t* mem,
                             uint64_t mem_size);

// Handler of each Op, defined by the interpreter; the compiler writes these into the code.
extern const Handler kHandlers[static_cast<size_t>(Op::Count)];

} // namespace wasm
