// One module on both tiers (docs/wasm-engine.md): the interpreter is the reference, the
// compiled tier must agree with it on every outcome of f(a, b): its result or its trap, and
// the memory it leaves. Shared by the wasm_diff_fuzz target and the generated-module tests in
// make test (tests/host/wasm/differential_test.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace fuzz {

// Empty when the tiers agree; otherwise what differed (or why the module did not run).
std::string compare_tiers(std::span<const uint8_t> module, uint32_t a, uint32_t b);
// What the interpreter made of f(a, b): "result N, memory H" or "trap: KIND, memory H".
std::string interpreter_outcome(std::span<const uint8_t> module, uint32_t a, uint32_t b);

} // namespace fuzz
