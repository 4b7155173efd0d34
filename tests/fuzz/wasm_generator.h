// Random valid Wasm modules for differential testing of the two tiers (docs/wasm-engine.md):
// one exported function "f" (i32, i32) -> i32 over a one-page memory "m", its body drawn from
// i32 arithmetic, comparisons, locals, select, if/else, blocks left by br_if, loads and stores
// (in bounds or not), and counted loops that always end. Valid by construction: every
// expression leaves exactly the type it promises, so a module the engine refuses is a bug.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace fuzz {

// Draws choices from `entropy` (cycling when it runs out; an empty span gives a fixed module).
std::vector<uint8_t> generate_module(std::span<const uint8_t> entropy);

} // namespace fuzz
