// Differential fuzzing of the two tiers: each input seeds a generated valid module
// (wasm_generator.h) and the arguments of its f; any difference between the interpreter and
// the compiled tier aborts, so libFuzzer keeps the input. Each one becomes a regression test.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "tests/fuzz/wasm_differential.h"
#include "tests/fuzz/wasm_generator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 8)
        return 0;
    uint32_t a = uint32_t(data[0]) | uint32_t(data[1]) << 8 | uint32_t(data[2]) << 16 |
                 uint32_t(data[3]) << 24;
    uint32_t b = uint32_t(data[4]) | uint32_t(data[5]) << 8 | uint32_t(data[6]) << 16 |
                 uint32_t(data[7]) << 24;
    auto module = fuzz::generate_module(std::span(data + 8, size - 8));
    std::string difference = fuzz::compare_tiers(module, a, b);
    if (!difference.empty()) {
        std::fprintf(stderr, "wasm_diff_fuzz: the tiers differ: %s\n", difference.c_str());
        std::abort();
    }
    return 0;
}
