// The compiler tier end to end: hand-made modules run on both tiers with the same results and
// the same traps, W^X of the code pages, and the fallbacks (per function and per module).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lib/wasm/engine.h"
#include "lib/wasm/module.h"
#include "lib/wasm/x64/posix_code_memory.h"
#include "malloc_allocator.h"
#include "wasm_bytes.h"

namespace {

using Bytes = std::vector<uint8_t>;
using wasm::Value;
using wasm::ValType;
using Tier = wasm::Config::Tier;

using wasm_test::leb;
using wasm_test::section;

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

struct Func {
    std::string name;
    Bytes params, results;
    Bytes locals; // the body's local declarations, count first
    Bytes body;   // instructions, with the final end
};

// Function i has type i and is exported under its name; one memory page and a table of one.
Bytes build(const std::vector<Func>& funcs) {
    Bytes out{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    Bytes types = leb(static_cast<uint32_t>(funcs.size()));
    Bytes fsec = leb(static_cast<uint32_t>(funcs.size()));
    Bytes exports = leb(static_cast<uint32_t>(funcs.size()));
    Bytes codes = leb(static_cast<uint32_t>(funcs.size()));
    for (uint32_t i = 0; i < funcs.size(); ++i) {
        const Func& f = funcs[i];
        types.push_back(0x60);
        append(types, leb(static_cast<uint32_t>(f.params.size())));
        append(types, f.params);
        append(types, leb(static_cast<uint32_t>(f.results.size())));
        append(types, f.results);
        append(fsec, leb(i));
        append(exports, leb(static_cast<uint32_t>(f.name.size())));
        exports.insert(exports.end(), f.name.begin(), f.name.end());
        exports.push_back(0x00);
        append(exports, leb(i));
        Bytes body = f.locals.empty() ? Bytes{0x00} : f.locals;
        append(body, f.body);
        append(codes, leb(static_cast<uint32_t>(body.size())));
        append(codes, body);
    }
    append(out, section(1, types));
    append(out, section(3, fsec));
    append(out, section(4, {0x01, 0x70, 0x00, 0x01}));
    append(out, section(5, {0x01, 0x00, 0x01}));
    append(out, section(7, exports));
    append(out, section(10, codes));
    return out;
}

constexpr uint8_t I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;

const std::vector<Func> kFuncs = {
    {"div_s", {I32, I32}, {I32}, {}, {0x20, 0, 0x20, 1, 0x6d, 0x0b}},
    {"rem_s64", {I64, I64}, {I64}, {}, {0x20, 0, 0x20, 1, 0x81, 0x0b}},
    {"load", {I32}, {I32}, {}, {0x20, 0, 0x28, 0x02, 0x00, 0x0b}},
    {"store_load16", {I32, I32}, {I32},
     {}, {0x20, 0, 0x20, 1, 0x3b, 0x01, 0x00, 0x20, 0, 0x2e, 0x01, 0x00, 0x0b}},
    {"unreachable", {}, {}, {}, {0x00, 0x0b}},
    {"recurse", {}, {}, {}, {0x10, 5, 0x0b}},
    // fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)
    {"fib", {I32}, {I32}, {},
     {0x20, 0, 0x41, 2, 0x48, 0x04, 0x7f, 0x20, 0, 0x05, 0x20, 0, 0x41, 1, 0x6b, 0x10, 6, 0x20,
      0, 0x41, 2, 0x6b, 0x10, 6, 0x6a, 0x0b, 0x0b}},
    // sum of i for i < n, as i64, with a loop and br_if out of the enclosing block
    {"sum", {I32}, {I64}, {0x02, 0x01, I64, 0x01, I32},
     {0x02, 0x40, 0x03, 0x40, 0x20, 2, 0x20, 0, 0x4f, 0x0d, 1, 0x20, 1, 0x20, 2, 0xad,
      0x7c, 0x21, 1, 0x20, 2, 0x41, 1, 0x6a, 0x21, 2, 0x0c, 0, 0x0b, 0x0b, 0x20, 1, 0x0b}},
    // a * b + sqrt(a) - a / b
    {"fmix", {F64, F64}, {F64}, {},
     {0x20, 0, 0x20, 1, 0xa2, 0x20, 0, 0x9f, 0xa0, 0x20, 0, 0x20, 1, 0xa3, 0xa1, 0x0b}},
    {"fmin", {F32, F32}, {F32}, {}, {0x20, 0, 0x20, 1, 0x96, 0x0b}},
    {"flt", {F64, F64}, {I32}, {}, {0x20, 0, 0x20, 1, 0x63, 0x0b}},
    {"trunc", {F64}, {I32}, {}, {0x20, 0, 0xaa, 0x0b}},
    // br_table over three labels: 0 -> 10, 1 -> 20, else 30
    {"table", {I32}, {I32}, {},
     {0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 0, 0x0e, 0x02, 0, 1, 2, 0x0b, 0x41, 10, 0x0f,
      0x0b, 0x41, 20, 0x0f, 0x0b, 0x41, 30, 0x0b}},
    // call_indirect through the (empty) table: traps "undefined element" / "uninitialized"
    {"indirect", {I32}, {}, {}, {0x20, 0, 0x11, 4, 0x00, 0x0b}},
    // div_s(a, b) from another function: a trap in the callee is the callee's
    {"calls_div", {I32, I32}, {I32}, {}, {0x20, 0, 0x20, 1, 0x10, 0, 0x0b}},
    // table.size is not covered by the compiler: this function stays on the interpreter
    {"table_size", {}, {I32}, {}, {0xfc, 0x10, 0x00, 0x0b}},
};

class Engine {
public:
    Engine(Tier tier, wasm::CodeMemory* cm, const Bytes& bytes)
        : store_(alloc_, config(tier, cm)), linker_(alloc_) {
        auto m = store_.load(bytes);
        if (!m)
            return;
        module_ = *m;
        auto inst = store_.instantiate(*module_, linker_);
        if (inst)
            instance_ = *inst;
    }
    bool ok() const { return instance_ != nullptr; }
    wasm::Module* module() const { return module_; }
    wasm::TierInfo info() const { return wasm::Store::tier_info(*module_); }
    // The function the last run's trap happened in: -1 no trap, -2 a trap the tier did not place.
    int trap_site() const { return trap_site_; }

    // The results as text, or the trap's message: what both tiers must agree on.
    std::string run(const char* name, std::vector<Value> args) {
        wasm::Function* f = instance_->export_func(name);
        if (!f)
            return "no such export";
        std::vector<Value> results(f->signature().results.size());
        wasm::Trap t = store_.call(f, args, results);
        trap_site_ = -1;
        if (!t.ok()) {
            auto site = wasm::Store::trap_site(t);
            trap_site_ = site ? static_cast<int>(site->function_index) : -2;
            return std::string("trap: ") + t.what();
        }
        std::string out;
        for (const Value& v : results)
            out += std::to_string(v.bits) + " ";
        return out;
    }

private:
    static wasm::Config config(Tier tier, wasm::CodeMemory* cm) {
        wasm::Config c;
        c.tier = tier;
        c.code_memory = cm;
        return c;
    }
    host::MallocAllocator alloc_;
    wasm::Store store_;
    wasm::Linker linker_;
    wasm::Module* module_ = nullptr;
    wasm::Instance* instance_ = nullptr;
    int trap_site_ = -1;
};

class JitTest : public ::testing::Test {
protected:
    void SetUp() override {
        bytes_ = build(kFuncs);
        interp_ = std::make_unique<Engine>(Tier::Interp, nullptr, bytes_);
        jit_ = std::make_unique<Engine>(Tier::Jit, &code_memory_, bytes_);
        ASSERT_TRUE(interp_->ok());
        ASSERT_TRUE(jit_->ok());
    }
    // Runs on both tiers, expects them to agree and returns the compiled tier's outcome.
    std::string both(const char* name, std::vector<Value> args) {
        std::string a = interp_->run(name, args), b = jit_->run(name, args);
        EXPECT_EQ(a, b) << name;
        EXPECT_EQ(interp_->trap_site(), jit_->trap_site()) << name;
        return b;
    }
    wasm::x64::PosixCodeMemory code_memory_;
    Bytes bytes_;
    std::unique_ptr<Engine> interp_, jit_;
};

TEST_F(JitTest, CompilesAllButTheUncoveredFunction) {
    EXPECT_EQ(interp_->info().compiled_functions, 0u);
    EXPECT_EQ(jit_->info().defined_functions, kFuncs.size());
    EXPECT_EQ(jit_->info().compiled_functions, kFuncs.size() - 1);
    EXPECT_EQ(jit_->module()->codes[kFuncs.size() - 1].jit_entry, nullptr);
    EXPECT_EQ(both("table_size", {}), "1 ");
}

TEST_F(JitTest, IntegerArithmeticAndItsTraps) {
    EXPECT_EQ(both("div_s", {Value::i32(7), Value::i32(static_cast<uint32_t>(-2))}),
              std::to_string(static_cast<uint32_t>(-3)) + " ");
    EXPECT_EQ(both("div_s", {Value::i32(7), Value::i32(0)}), "trap: integer divide by zero");
    EXPECT_EQ(both("div_s", {Value::i32(0x80000000u), Value::i32(0xffffffffu)}),
              "trap: integer overflow");
    EXPECT_EQ(both("rem_s64", {Value::i64(1ull << 63), Value::i64(~0ull)}), "0 ");
    EXPECT_EQ(both("rem_s64", {Value::i64(-7ll), Value::i64(3)}),
              std::to_string(static_cast<uint64_t>(-1ll)) + " ");
}

// Both tiers name the function a trap happened in (both() also compares them on every trap).
TEST_F(JitTest, TrapsNameTheFunctionTheyHappenedIn) {
    EXPECT_EQ(both("calls_div", {Value::i32(7), Value::i32(0)}), "trap: integer divide by zero");
    EXPECT_EQ(jit_->trap_site(), 0); // div_s, the callee
    EXPECT_EQ(both("load", {Value::i32(65533)}), "trap: out of bounds memory access");
    EXPECT_EQ(jit_->trap_site(), 2);
    EXPECT_EQ(both("unreachable", {}), "trap: unreachable");
    EXPECT_EQ(jit_->trap_site(), 4);
    EXPECT_EQ(both("recurse", {}), "trap: call stack exhausted");
    EXPECT_EQ(jit_->trap_site(), 5);
    EXPECT_EQ(both("indirect", {Value::i32(0)}).rfind("trap: ", 0), 0u);
    EXPECT_EQ(jit_->trap_site(), 13);
    EXPECT_EQ(both("calls_div", {Value::i32(8), Value::i32(2)}), "4 ");
    EXPECT_EQ(jit_->trap_site(), -1);
}

TEST_F(JitTest, MemoryBoundsAreChecked) {
    EXPECT_EQ(both("store_load16", {Value::i32(100), Value::i32(0x18000)}),
              std::to_string(static_cast<uint32_t>(static_cast<int16_t>(0x8000))) + " ");
    EXPECT_EQ(both("load", {Value::i32(65532)}), "0 ");
    EXPECT_EQ(both("load", {Value::i32(65533)}), "trap: out of bounds memory access");
    EXPECT_EQ(both("load", {Value::i32(0xffffffffu)}), "trap: out of bounds memory access");
    EXPECT_EQ(both("store_load16", {Value::i32(65535), Value::i32(1)}),
              "trap: out of bounds memory access");
}

TEST_F(JitTest, ControlFlowAndCalls) {
    EXPECT_EQ(both("fib", {Value::i32(20)}), "6765 ");
    EXPECT_EQ(both("sum", {Value::i32(100000)}), "4999950000 ");
    EXPECT_EQ(both("table", {Value::i32(0)}), "10 ");
    EXPECT_EQ(both("table", {Value::i32(1)}), "20 ");
    EXPECT_EQ(both("table", {Value::i32(7)}), "30 ");
    EXPECT_EQ(both("unreachable", {}), "trap: unreachable");
    EXPECT_EQ(both("recurse", {}), "trap: call stack exhausted");
    EXPECT_EQ(both("indirect", {Value::i32(0)}), "trap: uninitialized element");
    EXPECT_EQ(both("indirect", {Value::i32(1)}), "trap: undefined element");
    // After traps the engine is usable again: the trampoline restored the stack.
    EXPECT_EQ(both("fib", {Value::i32(10)}), "55 ");
}

TEST_F(JitTest, FloatsMatchTheInterpreterBitForBit) {
    const double vals[] = {0.0, -0.0, 1.5, -3.25, 1e300, __builtin_nan(""), __builtin_inf()};
    for (double a : vals)
        for (double b : vals) {
            both("fmix", {Value::f64(a), Value::f64(b)});
            both("flt", {Value::f64(a), Value::f64(b)});
            both("fmin", {Value::f32(static_cast<float>(a)), Value::f32(static_cast<float>(b))});
        }
    EXPECT_EQ(both("flt", {Value::f64(1.0), Value::f64(2.0)}), "1 ");
    EXPECT_EQ(both("flt", {Value::f64(__builtin_nan("")), Value::f64(2.0)}), "0 ");
    EXPECT_EQ(both("trunc", {Value::f64(-7.9)}), std::to_string(static_cast<uint32_t>(-7)) + " ");
    EXPECT_EQ(both("trunc", {Value::f64(3e9)}), "trap: integer overflow");
    EXPECT_EQ(both("trunc", {Value::f64(__builtin_nan(""))}),
              "trap: invalid conversion to integer");
}

// The permissions of the mapping that holds `p`, from /proc/self/maps ("r-xp" and so on).
std::string permissions(const void* p) {
    FILE* f = std::fopen("/proc/self/maps", "r");
    if (!f)
        return "";
    char line[512];
    std::string perms;
    auto addr = reinterpret_cast<uintptr_t>(p);
    while (std::fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char pr[5] = {};
        if (std::sscanf(line, "%lx-%lx %4s", &lo, &hi, pr) == 3 && addr >= lo && addr < hi)
            perms = pr;
    }
    std::fclose(f);
    return perms;
}

TEST_F(JitTest, CodeIsExecutableAndNotWritable) {
    const void* code = jit_->module()->codes[0].jit_entry;
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(permissions(code), "r-xp");
}

// A CodeMemory that records the order of requests and can refuse the switch to executable.
class RecordingCodeMemory final : public wasm::CodeMemory {
public:
    explicit RecordingCodeMemory(bool refuse) : refuse_(refuse) {}
    Region map_writable(size_t size) override {
        log += "map ";
        Region r = inner_.map_writable(size);
        writable_during_map = permissions(r.base) == "rw-p";
        return r;
    }
    bool make_executable(Region r) override {
        log += refuse_ ? "refused " : "exec ";
        return refuse_ ? false : inner_.make_executable(r);
    }
    void unmap(Region r) override {
        log += "unmap ";
        inner_.unmap(r);
    }
    std::string log;
    bool writable_during_map = false;

private:
    bool refuse_;
    wasm::x64::PosixCodeMemory inner_;
};

TEST(JitCodeMemory, WrittenWhileWritableThenSwitched) {
    RecordingCodeMemory cm(false);
    {
        Engine e(Tier::Jit, &cm, build(kFuncs));
        ASSERT_TRUE(e.ok());
        EXPECT_TRUE(cm.writable_during_map);
        EXPECT_EQ(e.run("fib", {Value::i32(15)}), "610 ");
    }
    EXPECT_EQ(cm.log, "map exec unmap ");
}

TEST(JitCodeMemory, RefusedExecutableFallsBackToTheInterpreter) {
    RecordingCodeMemory cm(true);
    Engine e(Tier::Jit, &cm, build(kFuncs));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(cm.log, "map refused unmap ");
    EXPECT_EQ(e.info().compiled_functions, 0u);
    EXPECT_EQ(e.run("fib", {Value::i32(15)}), "610 ");
}

TEST(JitCodeMemory, NoCodeMemoryMeansInterpreter) {
    Engine e(Tier::Jit, nullptr, build(kFuncs));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e.info().compiled_functions, 0u);
    EXPECT_EQ(e.run("sum", {Value::i32(10)}), "45 ");
}

} // namespace
