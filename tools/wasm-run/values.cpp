#include "tools/wasm-run/values.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace host {

namespace {

// An integer of `bits` width: accepts -2^(bits-1) .. 2^bits - 1, so both the signed and the
// unsigned reading of a bit pattern can be typed.
std::optional<uint64_t> parse_int(const std::string& text, int bits) {
    if (text.empty())
        return std::nullopt;
    bool negative = text[0] == '-';
    const char* digits = text.c_str() + (negative ? 1 : 0);
    // strtoull itself would accept blanks, a '+' and even a second '-' here.
    if (*digits < '0' || *digits > '9')
        return std::nullopt;
    errno = 0;
    char* end = nullptr;
    uint64_t magnitude = std::strtoull(digits, &end, 0);
    if (errno != 0 || *end != '\0')
        return std::nullopt;
    uint64_t max_unsigned = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    uint64_t max_negative = uint64_t{1} << (bits - 1);
    if (negative ? magnitude > max_negative : magnitude > max_unsigned)
        return std::nullopt;
    uint64_t v = negative ? 0 - magnitude : magnitude;
    return v & max_unsigned;
}

std::optional<double> parse_float(const std::string& text) {
    if (text.empty())
        return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (*end != '\0')
        return std::nullopt;
    return v;
}

} // namespace

std::optional<wasm::Value> parse_value(wasm::ValType type, const std::string& text) {
    using wasm::Value;
    switch (type) {
    case wasm::ValType::I32:
        if (auto v = parse_int(text, 32))
            return Value::i32(static_cast<uint32_t>(*v));
        return std::nullopt;
    case wasm::ValType::I64:
        if (auto v = parse_int(text, 64))
            return Value::i64(*v);
        return std::nullopt;
    case wasm::ValType::F32:
        if (auto v = parse_float(text))
            return Value::f32(static_cast<float>(*v));
        return std::nullopt;
    case wasm::ValType::F64:
        if (auto v = parse_float(text))
            return Value::f64(*v);
        return std::nullopt;
    case wasm::ValType::FuncRef:
    case wasm::ValType::ExternRef:
        // Only null can be written on a command line.
        if (text == "null")
            return Value::null(type);
        return std::nullopt;
    }
    return std::nullopt;
}

const char* type_name(wasm::ValType type) {
    switch (type) {
    case wasm::ValType::I32: return "i32";
    case wasm::ValType::I64: return "i64";
    case wasm::ValType::F32: return "f32";
    case wasm::ValType::F64: return "f64";
    case wasm::ValType::FuncRef: return "funcref";
    case wasm::ValType::ExternRef: return "externref";
    }
    return "?";
}

std::string format_value(const wasm::Value& value) {
    char buf[64];
    switch (value.type) {
    case wasm::ValType::I32:
        std::snprintf(buf, sizeof buf, "%" PRId32, static_cast<int32_t>(value.as_i32()));
        break;
    case wasm::ValType::I64:
        std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(value.as_i64()));
        break;
    case wasm::ValType::F32:
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(value.as_f32()));
        break;
    case wasm::ValType::F64:
        std::snprintf(buf, sizeof buf, "%.17g", value.as_f64());
        break;
    case wasm::ValType::FuncRef:
    case wasm::ValType::ExternRef:
        if (value.is_null())
            std::snprintf(buf, sizeof buf, "null");
        else
            std::snprintf(buf, sizeof buf, "0x%" PRIx64, value.bits);
        break;
    }
    return std::string(type_name(value.type)) + ":" + buf;
}

} // namespace host
