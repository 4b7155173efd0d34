/* A module without WASI: plain exported functions for wasm-run --invoke. */
#include <stdint.h>

__attribute__((export_name("add"))) int32_t add(int32_t a, int32_t b) { return a + b; }

__attribute__((export_name("mul64"))) int64_t mul64(int64_t a, int64_t b) { return a * b; }

__attribute__((export_name("half"))) double half(double x) { return x / 2; }

__attribute__((export_name("divide"))) int32_t divide(int32_t a, int32_t b) { return a / b; }
