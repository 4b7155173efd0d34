// Regression tests for inputs the wasm_fuzz target found (make fuzz): each runs its bytes
// through the same harness as the fuzzer. A test fails by crashing, hanging (CTest timeout) or,
// in a sanitizer build, by a sanitizer report. Add a found input as a byte array and a TEST
// that names what it once broke.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>

#include "tests/fuzz/wasm_harness.h"

namespace {

void run(std::span<const uint8_t> bytes) { fuzz::run_wasm_module(bytes); }

// Inputs that are not modules at all must be refused cleanly.
TEST(WasmFuzzRegression, EmptyAndTruncatedInputs) {
    run({});
    const uint8_t magic_only[] = {0x00, 0x61, 0x73, 0x6d};
    run(magic_only);
    const uint8_t truncated_section[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01,
                                         0xff, 0xff, 0xff, 0xff, 0x0f};
    run(truncated_section);
}

// A memory whose declared minimum is far above the harness's limit: refused at instantiation,
// not allocated.
TEST(WasmFuzzRegression, HugeMemoryMinimum) {
    const uint8_t module[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
                              0x05, 0x05, 0x01, 0x00, 0x80, 0x80, 0x04};      // memory 65536
    run(module);
}

// An exported endless loop: the fuel budget must end it.
TEST(WasmFuzzRegression, EndlessLoopRunsOutOfFuel) {
    const uint8_t module[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             // type 0: [] -> []
        0x03, 0x02, 0x01, 0x00,                         // func 0: type 0
        0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,       // export "f" func 0
        0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, // loop br 0 end end
    };
    run(module);
}

} // namespace
