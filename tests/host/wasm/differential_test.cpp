// The tiers agree on generated modules (tests/fuzz/wasm_generator.h): a fixed set of seeds
// run in make test on every build, beside the wasm_diff_fuzz target that explores further.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tests/fuzz/wasm_differential.h"
#include "tests/fuzz/wasm_generator.h"

namespace {

// A reproducible byte stream per seed (xorshift64*), as entropy for the generator.
std::vector<uint8_t> entropy(uint64_t seed, size_t n) {
    uint64_t x = seed * 0x9e3779b97f4a7c15 + 1;
    std::vector<uint8_t> out(n);
    for (auto& b : out) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        b = uint8_t((x * 0x2545f4914f6cdd1d) >> 56);
    }
    return out;
}

TEST(Differential, GeneratedModulesAgreeOnBothTiers) {
    int differences = 0;
    for (uint64_t seed = 0; seed < 3000; ++seed) {
        auto bytes = entropy(seed, 64 + seed % 192);
        auto module = fuzz::generate_module(bytes);
        uint32_t a = uint32_t(seed * 2654435761u), b = uint32_t(seed ^ 0xdeadbeef);
        std::string difference = fuzz::compare_tiers(module, a, b);
        if (!difference.empty() && ++differences <= 5)
            ADD_FAILURE() << "seed " << seed << ": " << difference;
    }
    EXPECT_EQ(differences, 0);
}

TEST(Differential, TheGeneratorMakesModulesThatDoSomething) {
    // Different modules, valid ones, and both results and traps among their outcomes:
    // otherwise agreement would prove little.
    int traps = 0, results = 0;
    std::set<std::vector<uint8_t>> seen;
    for (uint64_t seed = 0; seed < 300; ++seed) {
        auto module = fuzz::generate_module(entropy(seed, 128));
        seen.insert(module);
        std::string outcome = fuzz::interpreter_outcome(module, 7, 9);
        ASSERT_FALSE(outcome.starts_with("refused")) << "seed " << seed << ": " << outcome;
        traps += outcome.starts_with("trap: ");
        results += outcome.starts_with("result ");
    }
    EXPECT_GT(seen.size(), 250u);
    EXPECT_GT(traps, 10);
    EXPECT_GT(results, 100);
}

} // namespace
