// One fuzz input through the whole engine: decode and validate it as a module; if it loads,
// instantiate it against the WASI layer (with a host whose output vanishes) plus a
// zero-returning stub for every other imported function; if that works, call every exported
// function with zero arguments under a fuel budget. Traps, load errors and link errors are
// expected outcomes; what matters is a crash, a sanitizer report, a hang or runaway memory.
#pragma once

#include <cstdint>
#include <span>

namespace fuzz {

void run_wasm_module(std::span<const uint8_t> bytes);

} // namespace fuzz
