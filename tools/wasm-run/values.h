// Converting between wasm-run's command line and Wasm values.
#pragma once

#include <optional>
#include <string>

#include "lib/wasm/types.h"

namespace host {

// Parses `text` as a value of `type`: integers in decimal or 0x hex, signed or unsigned within
// the type's width; floats as strtod reads them (also "nan", "inf"). nullopt when malformed.
std::optional<wasm::Value> parse_value(wasm::ValType type, const std::string& text);

// "i32:-5", "i64:1234", "f32:1.5", "f64:0.1", "funcref:null", "externref:0x10".
std::string format_value(const wasm::Value& value);

const char* type_name(wasm::ValType type);

} // namespace host
