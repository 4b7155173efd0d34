// wasm-spectest FILE.json: runs one wast2json-converted spec script against the engine.
// Counts modules, actions and assertions like wabt's spectest-interp; text modules are skipped.
// The last line is "N passed, N failed[, N skipped]"; the exit status is 1 if any failed.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "json.h"
#include "lib/wasm/engine.h"
#include "lib/wasm/x64/posix_code_memory.h"
#include "malloc_allocator.h"

namespace {

using wasm::TrapKind;
using wasm::Value;
using wasm::ValType;

struct Expected {
    Value value;
    enum class Nan { None, Canonical, Arithmetic } nan = Nan::None;
};

bool parse_type(const std::string& t, ValType& out) {
    if (t == "i32") out = ValType::I32;
    else if (t == "i64") out = ValType::I64;
    else if (t == "f32") out = ValType::F32;
    else if (t == "f64") out = ValType::F64;
    else if (t == "funcref") out = ValType::FuncRef;
    else if (t == "externref") out = ValType::ExternRef;
    else return false;
    return true;
}

// externref N is represented as N+1 so that it never equals null (0).
bool parse_value(const json::Value& j, Expected& out) {
    ValType t;
    if (!parse_type(j.str("type"), t))
        return false;
    std::string v = j.str("value");
    out.value.type = t;
    if (v == "nan:canonical" || v == "nan:arithmetic") {
        out.nan = v == "nan:canonical" ? Expected::Nan::Canonical : Expected::Nan::Arithmetic;
        return true;
    }
    if (wasm::is_ref(t)) {
        out.value.bits = v == "null" ? 0 : std::stoull(v) + 1;
        return true;
    }
    out.value.bits = std::stoull(v);
    return true;
}

bool matches(const Expected& e, const Value& got) {
    if (got.type != e.value.type)
        return false;
    if (e.nan != Expected::Nan::None) {
        if (got.type == ValType::F32) {
            uint32_t b = static_cast<uint32_t>(got.bits);
            if ((b & 0x7f800000u) != 0x7f800000u || !(b & 0x007fffffu))
                return false;
            return e.nan == Expected::Nan::Canonical ? (b & 0x7fffffffu) == 0x7fc00000u
                                                     : (b & 0x00400000u) != 0;
        }
        uint64_t b = got.bits;
        if ((b & 0x7ff0000000000000ull) != 0x7ff0000000000000ull || !(b & 0x000fffffffffffffull))
            return false;
        return e.nan == Expected::Nan::Canonical
                   ? (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull
                   : (b & 0x0008000000000000ull) != 0;
    }
    if (got.type == ValType::FuncRef && e.value.bits != 0)
        return got.bits != 0; // the script can only say "some function"
    return got.bits == e.value.bits;
}

std::string show(const Value& v) {
    char buf[64];
    switch (v.type) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "i32:%u", v.as_i32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "i64:%" PRIu64, v.bits); break;
    case ValType::F32: std::snprintf(buf, sizeof buf, "f32:%g(0x%08x)", v.as_f32(), v.as_i32()); break;
    case ValType::F64:
        std::snprintf(buf, sizeof buf, "f64:%g(0x%016" PRIx64 ")", v.as_f64(), v.bits);
        break;
    default: std::snprintf(buf, sizeof buf, "ref:%" PRIu64, v.bits);
    }
    return buf;
}

wasm::Trap print_fn(wasm::HostCall&) { return wasm::Trap::none(); }

class Runner {
public:
    Runner(std::string path, wasm::Config::Tier tier)
        : path_(std::move(path)), store_(alloc_, config(tier)), linker_(alloc_) {
        auto slash = path_.rfind('/');
        dir_ = slash == std::string::npos ? "." : path_.substr(0, slash);
        define_spectest();
    }

    int run() {
        std::ifstream in(path_);
        if (!in) {
            std::printf("cannot open %s\n", path_.c_str());
            return 2;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        json::Value root;
        if (!json::parse(ss.str(), root)) {
            std::printf("%s: malformed JSON\n", path_.c_str());
            return 2;
        }
        const json::Value* cmds = root.get("commands");
        if (!cmds)
            return 2;
        for (const json::Value& c : cmds->array)
            command(c);
        std::printf("%d passed, %d failed", passed_, failed_);
        if (skipped_)
            std::printf(", %d skipped", skipped_);
        if (store_.config().tier == wasm::Config::Tier::Jit)
            std::printf(", jit: %u of %u functions compiled in %u of %u modules", jit_functions_,
                        functions_, jit_modules_, modules_);
        std::printf("\n");
        return failed_ ? 1 : 0;
    }

private:
    wasm::Config config(wasm::Config::Tier tier) {
        wasm::Config c;
        c.tier = tier;
        c.code_memory = &code_memory_;
        return c;
    }

    void define_spectest() {
        static const ValType i32[] = {ValType::I32};
        static const ValType i64[] = {ValType::I64};
        static const ValType f32[] = {ValType::F32};
        static const ValType f64[] = {ValType::F64};
        static const ValType i32f32[] = {ValType::I32, ValType::F32};
        static const ValType f64f64[] = {ValType::F64, ValType::F64};
        linker_.define_host(store_, "spectest", "print", {}, {}, print_fn, nullptr);
        linker_.define_host(store_, "spectest", "print_i32", i32, {}, print_fn, nullptr);
        linker_.define_host(store_, "spectest", "print_i64", i64, {}, print_fn, nullptr);
        linker_.define_host(store_, "spectest", "print_f32", f32, {}, print_fn, nullptr);
        linker_.define_host(store_, "spectest", "print_f64", f64, {}, print_fn, nullptr);
        linker_.define_host(store_, "spectest", "print_i32_f32", i32f32, {}, print_fn, nullptr);
        linker_.define_host(store_, "spectest", "print_f64_f64", f64f64, {}, print_fn, nullptr);
        using wasm::Extern;
        linker_.define("spectest", "global_i32",
                       Extern::global(store_.create_global(ValType::I32, false, Value::i32(666))));
        linker_.define("spectest", "global_i64",
                       Extern::global(store_.create_global(ValType::I64, false, Value::i64(666))));
        linker_.define("spectest", "global_f32", Extern::global(store_.create_global(
                                                     ValType::F32, false, Value::f32(666.6f))));
        linker_.define("spectest", "global_f64", Extern::global(store_.create_global(
                                                     ValType::F64, false, Value::f64(666.6))));
        linker_.define("spectest", "table",
                       Extern::table(store_.create_table(ValType::FuncRef, 10, 20)));
        linker_.define("spectest", "memory", Extern::memory(store_.create_memory(1, 2)));
    }

    void pass() { ++passed_; }
    void fail(int line, const std::string& why) {
        ++failed_;
        std::printf("%s:%d: FAIL %s\n", path_.c_str(), line, why.c_str());
    }

    bool read_file(const std::string& name, std::vector<uint8_t>& out) {
        std::ifstream in(dir_ + "/" + name, std::ios::binary);
        if (!in)
            return false;
        out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        return true;
    }

    std::expected<wasm::Module*, wasm::LoadError> load(const json::Value& c) {
        std::vector<uint8_t> bytes;
        if (!read_file(c.str("filename"), bytes))
            return std::unexpected(wasm::LoadError{wasm::LoadErrorKind::Malformed, "no file", 0});
        auto m = store_.load(bytes);
        if (m) {
            wasm::TierInfo info = wasm::Store::tier_info(**m);
            functions_ += info.defined_functions;
            jit_functions_ += info.compiled_functions;
            modules_ += info.defined_functions > 0;
            jit_modules_ += info.defined_functions > 0 &&
                            info.compiled_functions == info.defined_functions;
        }
        return m;
    }

    wasm::Instance* instance_for(const json::Value& action) {
        std::string name = action.str("module");
        if (name.empty())
            return current_;
        auto it = named_.find(name);
        return it == named_.end() ? nullptr : it->second;
    }

    // Runs an action; the trap (if any) and the results.
    bool perform(const json::Value& c, wasm::Trap& trap, std::vector<Value>& results, int line) {
        const json::Value* action = c.get("action");
        if (!action) {
            fail(line, "no action");
            return false;
        }
        wasm::Instance* inst = instance_for(*action);
        if (!inst) {
            fail(line, "unknown module");
            return false;
        }
        std::string field = action->str("field");
        wasm::Name fname(field.data(), field.size());
        if (action->str("type") == "get") {
            wasm::Global* g = inst->export_global(fname);
            if (!g) {
                fail(line, "unknown global " + field);
                return false;
            }
            results = {g->get()};
            trap = wasm::Trap::none();
            return true;
        }
        std::vector<Value> args;
        if (const json::Value* a = action->get("args")) {
            for (const json::Value& j : a->array) {
                Expected e;
                if (!parse_value(j, e)) {
                    fail(line, "bad argument");
                    return false;
                }
                args.push_back(e.value);
            }
        }
        wasm::Function* f = inst->export_func(fname);
        if (!f) {
            fail(line, "unknown function " + field);
            return false;
        }
        results.assign(f->signature().results.size(), Value{});
        trap = store_.call(f, args, results);
        return true;
    }

    void command(const json::Value& c) {
        std::string type = c.str("type");
        int line = static_cast<int>(c.get("line") ? c.get("line")->number : 0);
        if (type == "module") {
            auto m = load(c);
            if (!m) {
                fail(line, std::string("module failed to load: ") + m.error().message);
                current_ = nullptr;
                return;
            }
            auto inst = store_.instantiate(**m, linker_);
            if (!inst) {
                fail(line, std::string("module failed to instantiate: ") + inst.error().message);
                current_ = nullptr;
                return;
            }
            current_ = *inst;
            std::string name = c.str("name");
            if (!name.empty())
                named_[name] = current_;
            pass();
        } else if (type == "register") {
            std::string name = c.str("name");
            wasm::Instance* inst = name.empty() ? current_ : named_[name];
            std::string as = c.str("as");
            if (!inst || !linker_.define_instance(wasm::Name(as.data(), as.size()), inst))
                fail(line, "register failed");
        } else if (type == "action") {
            wasm::Trap trap;
            std::vector<Value> results;
            if (!perform(c, trap, results, line))
                return;
            if (!trap.ok())
                fail(line, std::string("action trapped: ") + trap.what());
            else
                pass();
        } else if (type == "assert_return") {
            wasm::Trap trap;
            std::vector<Value> results;
            if (!perform(c, trap, results, line))
                return;
            if (!trap.ok()) {
                fail(line, std::string("trapped: ") + trap.what());
                return;
            }
            const json::Value* exp = c.get("expected");
            size_t n = exp ? exp->array.size() : 0;
            if (n != results.size()) {
                fail(line, "result count");
                return;
            }
            for (size_t i = 0; i < n; ++i) {
                Expected e;
                if (!parse_value(exp->array[i], e) || !matches(e, results[i])) {
                    fail(line, "result " + std::to_string(i) + " is " + show(results[i]) +
                                   ", expected " + exp->array[i].str("value"));
                    return;
                }
            }
            pass();
        } else if (type == "assert_trap" || type == "assert_exhaustion") {
            wasm::Trap trap;
            std::vector<Value> results;
            if (!perform(c, trap, results, line))
                return;
            std::string text = c.str("text");
            if (trap.ok()) {
                fail(line, "expected trap: " + text);
                return;
            }
            // The script's text starts with the spec's message for the trap.
            if (text.rfind(trap.what(), 0) != 0) {
                fail(line, std::string("trap ") + trap.what() + ", expected " + text);
                return;
            }
            pass();
        } else if (type == "assert_invalid" || type == "assert_malformed") {
            if (c.str("module_type") == "text") {
                ++skipped_;
                return;
            }
            auto m = load(c);
            if (m)
                fail(line, "module should fail to load: " + c.str("text"));
            else
                pass();
        } else if (type == "assert_unlinkable" || type == "assert_uninstantiable") {
            auto m = load(c);
            if (!m) {
                fail(line, std::string("module failed to load: ") + m.error().message);
                return;
            }
            auto inst = store_.instantiate(**m, linker_);
            auto want = type == "assert_unlinkable" ? wasm::InstantiateError::Kind::Unlinkable
                                                    : wasm::InstantiateError::Kind::Trapped;
            if (inst)
                fail(line, "module should fail to instantiate: " + c.str("text"));
            else if (inst.error().kind != want)
                fail(line, std::string("wrong instantiation error: ") + inst.error().message);
            else
                pass();
        } else {
            fail(line, "unknown command " + type);
        }
    }

    std::string path_;
    std::string dir_;
    host::MallocAllocator alloc_;
    wasm::x64::PosixCodeMemory code_memory_;
    wasm::Store store_;
    wasm::Linker linker_;
    wasm::Instance* current_ = nullptr;
    std::map<std::string, wasm::Instance*> named_;
    int passed_ = 0;
    int failed_ = 0;
    int skipped_ = 0;
    unsigned functions_ = 0, jit_functions_ = 0, modules_ = 0, jit_modules_ = 0;
};

} // namespace

int main(int argc, char** argv) {
    wasm::Config::Tier tier = wasm::Config::Tier::Interp;
    if (argc == 3 && std::string(argv[1]) == "--tier=jit")
        tier = wasm::Config::Tier::Jit;
    else if (argc == 3 && std::string(argv[1]) != "--tier=interp")
        argc = 0;
    if (argc != 2 && argc != 3) {
        std::fprintf(stderr, "usage: wasm-spectest [--tier=interp|jit] FILE.json\n");
        return 2;
    }
    Runner r(argv[argc - 1], tier);
    return r.run();
}
