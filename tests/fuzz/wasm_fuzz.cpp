// libFuzzer target for the Wasm engine and the WASI layer; the work is in wasm_harness.cpp.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tests/fuzz/wasm_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::run_wasm_module(std::span<const uint8_t>(data, size));
    return 0;
}
