// wasm-compile-speed: how fast the engine turns a module into something it can run, per tier.
//
//   wasm-compile-speed FILE.wasm [RUNS]
//
// For each tier, RUNS times (default 10) in a fresh Store: load (decode, validate, and on the
// jit tier compile to machine code and map it executable) and instantiate. Prints the median
// load time as megabytes (10^6 bytes) of the module per second, and the median start-up (load
// and instantiate) in milliseconds. The module must need no imports and export
// `run(i32, i32) -> i32`; the result of run(0, 1) must agree on both tiers, so a tier that
// loaded quickly but wrongly does not pass (bench/wasm/make_large.py writes such a module).
// Exit status 1 on any failure.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "lib/wasm/engine.h"
#include "lib/wasm/x64/posix_code_memory.h"
#include "tools/wasm-spectest/malloc_allocator.h"

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct TierResult {
    double load_ms;
    double startup_ms;
    wasm::TierInfo info;
    uint32_t run_result;
};

std::optional<TierResult> measure(const std::vector<uint8_t>& bytes, wasm::Config::Tier tier,
                                  int runs) {
    host::MallocAllocator alloc;
    wasm::x64::PosixCodeMemory code_memory;
    wasm::Config config;
    config.tier = tier;
    config.code_memory = &code_memory;
    std::vector<double> loads, startups;
    TierResult result{};
    for (int i = 0; i < runs; ++i) {
        wasm::Store store(alloc, config);
        wasm::Linker linker(alloc);
        Clock::time_point start = Clock::now();
        auto module = store.load(bytes);
        Clock::time_point loaded = Clock::now();
        if (!module) {
            std::fprintf(stderr, "wasm-compile-speed: load failed: %s (at byte %zu)\n",
                         module.error().message, module.error().offset);
            return std::nullopt;
        }
        auto instance = store.instantiate(**module, linker);
        Clock::time_point started = Clock::now();
        if (!instance) {
            std::fprintf(stderr, "wasm-compile-speed: instantiate failed: %s\n",
                         instance.error().message);
            return std::nullopt;
        }
        loads.push_back(milliseconds(loaded - start));
        startups.push_back(milliseconds(started - start));
        if (i == 0) {
            result.info = wasm::Store::tier_info(**module);
            wasm::Function* run = (*instance)->export_func("run");
            if (!run) {
                std::fprintf(stderr, "wasm-compile-speed: the module exports no run\n");
                return std::nullopt;
            }
            wasm::Value args[] = {wasm::Value::i32(0), wasm::Value::i32(1)};
            wasm::Value out[1];
            if (!store.call(run, args, out).ok()) {
                std::fprintf(stderr, "wasm-compile-speed: run(0, 1) trapped\n");
                return std::nullopt;
            }
            result.run_result = out[0].as_i32();
        }
    }
    result.load_ms = median(loads);
    result.startup_ms = median(startups);
    return result;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: wasm-compile-speed FILE.wasm [RUNS]\n");
        return 1;
    }
    int runs = argc == 3 ? std::atoi(argv[2]) : 10;
    std::ifstream file(argv[1], std::ios::binary);
    if (!file || runs < 1) {
        std::fprintf(stderr, "wasm-compile-speed: cannot open %s (or RUNS < 1)\n", argv[1]);
        return 1;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                               std::istreambuf_iterator<char>());
    auto interp = measure(bytes, wasm::Config::Tier::Interp, runs);
    auto jit = measure(bytes, wasm::Config::Tier::Jit, runs);
    if (!interp || !jit)
        return 1;
    if (interp->run_result != jit->run_result) {
        std::fprintf(stderr, "wasm-compile-speed: run(0, 1) is %u on the interpreter, %u compiled\n",
                     interp->run_result, jit->run_result);
        return 1;
    }
    double megabytes = double(bytes.size()) / 1e6;
    std::printf("module %s: %zu bytes, %u functions, %u of them compiled on the jit tier; "
                "median of %d loads\n",
                argv[1], bytes.size(), jit->info.defined_functions, jit->info.compiled_functions,
                runs);
    std::printf("tier      load ms     MB/s  start-up ms\n");
    for (auto [name, r] : {std::pair{"interp", *interp}, std::pair{"jit", *jit}})
        std::printf("%-6s  %9.2f  %7.1f  %11.2f\n", name, r.load_ms, megabytes / (r.load_ms / 1e3),
                    r.startup_ms);
    return 0;
}
