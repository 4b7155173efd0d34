// wasm-run's conversions between command-line text and Wasm values (tools/wasm-run/values.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "tools/wasm-run/values.h"

namespace {

using host::format_value;
using host::parse_value;
using wasm::Value;
using wasm::ValType;

TEST(WasmRunValues, I32AcceptsSignedUnsignedAndHex) {
    EXPECT_EQ(parse_value(ValType::I32, "42")->as_i32(), 42u);
    EXPECT_EQ(parse_value(ValType::I32, "-1")->as_i32(), 0xffffffffu);
    EXPECT_EQ(parse_value(ValType::I32, "0xffffffff")->as_i32(), 0xffffffffu);
    EXPECT_EQ(parse_value(ValType::I32, "-2147483648")->as_i32(), 0x80000000u);
    EXPECT_EQ(parse_value(ValType::I32, "4294967295")->as_i32(), 0xffffffffu);
}

TEST(WasmRunValues, I32RejectsWhatDoesNotFit) {
    EXPECT_FALSE(parse_value(ValType::I32, "4294967296"));
    EXPECT_FALSE(parse_value(ValType::I32, "-2147483649"));
    EXPECT_FALSE(parse_value(ValType::I32, ""));
    EXPECT_FALSE(parse_value(ValType::I32, "-"));
    EXPECT_FALSE(parse_value(ValType::I32, "12x"));
    EXPECT_FALSE(parse_value(ValType::I32, "1.5"));
    EXPECT_FALSE(parse_value(ValType::I32, "--1"));
    EXPECT_FALSE(parse_value(ValType::I32, " 1"));
}

TEST(WasmRunValues, I64FullRange) {
    EXPECT_EQ(parse_value(ValType::I64, "-9223372036854775808")->as_i64(), 1ull << 63);
    EXPECT_EQ(parse_value(ValType::I64, "18446744073709551615")->as_i64(), ~0ull);
    EXPECT_FALSE(parse_value(ValType::I64, "18446744073709551616"));
    EXPECT_FALSE(parse_value(ValType::I64, "-9223372036854775809"));
    EXPECT_FALSE(parse_value(ValType::I64, "--9223372036854775808"));
}

TEST(WasmRunValues, Floats) {
    EXPECT_EQ(parse_value(ValType::F64, "2.5")->as_f64(), 2.5);
    EXPECT_EQ(parse_value(ValType::F32, "-0.5")->as_f32(), -0.5f);
    EXPECT_TRUE(std::isnan(parse_value(ValType::F64, "nan")->as_f64()));
    EXPECT_TRUE(std::isinf(parse_value(ValType::F64, "-inf")->as_f64()));
    EXPECT_FALSE(parse_value(ValType::F64, "2.5.1"));
}

TEST(WasmRunValues, ReferencesOnlyNull) {
    EXPECT_TRUE(parse_value(ValType::FuncRef, "null")->is_null());
    EXPECT_FALSE(parse_value(ValType::ExternRef, "0x10"));
}

TEST(WasmRunValues, Formatting) {
    EXPECT_EQ(format_value(Value::i32(0xffffffffu)), "i32:-1");
    EXPECT_EQ(format_value(Value::i64(12)), "i64:12");
    EXPECT_EQ(format_value(Value::f32(1.5f)), "f32:1.5");
    EXPECT_EQ(format_value(Value::f64(0.1)), "f64:0.10000000000000001");
    EXPECT_EQ(format_value(Value::null(ValType::FuncRef)), "funcref:null");
    EXPECT_EQ(format_value(Value::externref(16)), "externref:0x10");
}

} // namespace
