// Decoder and validator tests on hand-made modules: each asserts the error kind, the message
// and the byte offset. A few tests also exercise the embedding API end to end.
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <vector>

#include "lib/wasm/engine.h"
#include "malloc_allocator.h"
#include "wasm_bytes.h"

namespace {

using Bytes = std::vector<uint8_t>;
using wasm::LoadErrorKind;
using wasm::ValType;

using wasm_test::leb;
using wasm_test::section;

Bytes module(std::initializer_list<Bytes> sections) {
    Bytes out{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    for (const Bytes& s : sections)
        out.insert(out.end(), s.begin(), s.end());
    return out;
}

// Type section with one type [] -> [i32]; function section with one function of type 0.
const Bytes kTypeVoidToI32 = section(1, {0x01, 0x60, 0x00, 0x01, 0x7f});
const Bytes kOneFunc = section(3, {0x01, 0x00});

// A code section with one body (no locals) of the given instructions.
Bytes code(const Bytes& instrs) {
    Bytes body{0x00};
    body.insert(body.end(), instrs.begin(), instrs.end());
    Bytes sec{0x01};
    Bytes size = leb(static_cast<uint32_t>(body.size()));
    sec.insert(sec.end(), size.begin(), size.end());
    sec.insert(sec.end(), body.begin(), body.end());
    return section(10, sec);
}

class DecoderTest : public ::testing::Test {
protected:
    void expect_error(const Bytes& bytes, LoadErrorKind kind, const char* message, size_t offset) {
        auto m = store.load(bytes);
        ASSERT_FALSE(m.has_value()) << "module was accepted";
        EXPECT_EQ(m.error().kind, kind);
        EXPECT_STREQ(m.error().message, message);
        EXPECT_EQ(m.error().offset, offset);
    }

    host::MallocAllocator alloc;
    wasm::Store store{alloc};
};

TEST_F(DecoderTest, EmptyModuleIsValid) { EXPECT_TRUE(store.load(module({})).has_value()); }

TEST_F(DecoderTest, BadMagic) {
    expect_error({0x00, 0x61, 0x73, 0x6e, 0x01, 0, 0, 0}, LoadErrorKind::Malformed,
                 "magic header not detected", 0);
}

TEST_F(DecoderTest, BadVersion) {
    expect_error({0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0}, LoadErrorKind::Malformed,
                 "unknown binary version", 4);
}

TEST_F(DecoderTest, TruncatedHeader) {
    expect_error({0x00, 0x61, 0x73}, LoadErrorKind::Malformed, "unexpected end", 0);
}

TEST_F(DecoderTest, SectionLongerThanModule) {
    Bytes m = module({});
    m.insert(m.end(), {0x01, 0x05, 0x01, 0x60}); // claims 5 bytes, has 2
    expect_error(m, LoadErrorKind::Malformed, "length out of bounds", 8);
}

TEST_F(DecoderTest, TruncatedInsideSection) {
    // Type section says one type but ends after the form byte.
    expect_error(module({section(1, {0x01, 0x60})}), LoadErrorKind::Malformed, "unexpected end",
                 12);
}

TEST_F(DecoderTest, Leb128TooLong) {
    // A 6-byte encoding of the type count (the maximum for u32 is 5 bytes).
    expect_error(module({section(1, {0x80, 0x80, 0x80, 0x80, 0x80, 0x00})}),
                 LoadErrorKind::Malformed, "integer representation too long", 10);
}

TEST_F(DecoderTest, Leb128TooLarge) {
    // Fifth byte with bits beyond 32 set.
    expect_error(module({section(1, {0x80, 0x80, 0x80, 0x80, 0x70})}), LoadErrorKind::Malformed,
                 "integer too large", 10);
}

TEST_F(DecoderTest, EnormousCountIsRefusedBeforeAllocating) {
    expect_error(module({section(1, {0xff, 0xff, 0xff, 0xff, 0x0f})}), LoadErrorKind::Malformed,
                 "unexpected end", 10);
}

TEST_F(DecoderTest, BadUtf8InCustomSectionName) {
    expect_error(module({section(0, {0x02, 0xc0, 0x80})}), LoadErrorKind::Malformed,
                 "malformed UTF-8 encoding", 10);
}

TEST_F(DecoderTest, BadUtf8InImportName) {
    // Import "\xed\xa0\x80" (a surrogate) . "f" func type 0.
    Bytes imports{0x01, 0x03, 0xed, 0xa0, 0x80, 0x01, 'f', 0x00, 0x00};
    expect_error(module({kTypeVoidToI32, section(2, imports)}), LoadErrorKind::Malformed,
                 "malformed UTF-8 encoding", 18); // the name's length
}

TEST_F(DecoderTest, SectionOutOfOrder) {
    // Function section (3) before type section (1): the type section is the one out of order.
    Bytes m = module({section(3, {0x00}), section(1, {0x00})});
    expect_error(m, LoadErrorKind::Malformed, "unexpected content after last section", 11);
}

TEST_F(DecoderTest, DuplicateSection) {
    Bytes m = module({section(1, {0x00}), section(1, {0x00})});
    expect_error(m, LoadErrorKind::Malformed, "unexpected content after last section", 11);
}

TEST_F(DecoderTest, UnknownSectionId) {
    expect_error(module({section(13, {})}), LoadErrorKind::Malformed, "malformed section id", 8);
}

TEST_F(DecoderTest, SectionSizeMismatch) {
    // Type section declares 3 bytes but the vector inside uses only 1.
    expect_error(module({section(1, {0x00, 0x00, 0x00})}), LoadErrorKind::Malformed,
                 "section size mismatch", 11);
}

TEST_F(DecoderTest, FunctionWithoutCode) {
    Bytes m = module({kTypeVoidToI32, kOneFunc});
    expect_error(m, LoadErrorKind::Malformed,
                 "function and code section have inconsistent lengths", m.size());
}

TEST_F(DecoderTest, CodeCountMismatch) {
    Bytes m = module({kTypeVoidToI32, kOneFunc, section(10, {0x00})});
    expect_error(m, LoadErrorKind::Malformed,
                 "function and code section have inconsistent lengths", 21);
}

TEST_F(DecoderTest, IllegalOpcode) {
    // Body: no locals, 0xff. Offsets: header 8, type 7, func 4, code id/size/count/bodysize 4,
    // locals 1 -> the opcode is at 24.
    Bytes m = module({kTypeVoidToI32, kOneFunc, code({0xff, 0x0b})});
    expect_error(m, LoadErrorKind::Malformed, "illegal opcode", 24);
}

TEST_F(DecoderTest, TypeMismatch) {
    // [] -> [i32] but the body leaves an i64: the mismatch is found at `end` (offset 26).
    Bytes m = module({kTypeVoidToI32, kOneFunc, code({0x42, 0x00, 0x0b})});
    expect_error(m, LoadErrorKind::Invalid, "type mismatch", 26);
}

TEST_F(DecoderTest, StackUnderflow) {
    Bytes m = module({kTypeVoidToI32, kOneFunc, code({0x6a, 0x0b})}); // i32.add on nothing
    expect_error(m, LoadErrorKind::Invalid, "type mismatch", 24);
}

TEST_F(DecoderTest, UnknownLocal) {
    Bytes m = module({kTypeVoidToI32, kOneFunc, code({0x20, 0x05, 0x0b})});
    expect_error(m, LoadErrorKind::Invalid, "unknown local", 24);
}

TEST_F(DecoderTest, BodyWithoutEnd) {
    Bytes m = module({kTypeVoidToI32, kOneFunc, code({0x41, 0x00})});
    expect_error(m, LoadErrorKind::Malformed, "unexpected end", 26);
}

TEST_F(DecoderTest, UnknownLabel) {
    Bytes m = module({kTypeVoidToI32, kOneFunc, code({0x0c, 0x03, 0x0b})});
    expect_error(m, LoadErrorKind::Invalid, "unknown label", 24);
}

TEST_F(DecoderTest, MemoryTooLarge) {
    expect_error(module({section(5, {0x01, 0x00, 0x81, 0x80, 0x04})}), LoadErrorKind::Invalid,
                 "memory size must be at most 65536 pages (4GiB)", 11);
}

TEST_F(DecoderTest, DuplicateExport) {
    Bytes exports{0x02, 0x01, 'a', 0x00, 0x00, 0x01, 'a', 0x00, 0x00};
    Bytes m = module({kTypeVoidToI32, kOneFunc, section(7, exports), code({0x41, 0x00, 0x0b})});
    expect_error(m, LoadErrorKind::Invalid, "duplicate export name", 26);
}

// ---- execution through the embedding API ----

// (func (export "f") (param i32 i32) (result i32) local.get 0 local.get 1 call $host)
// with $host imported as env.add.
Bytes host_call_module() {
    Bytes types = section(1, {0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f});
    Bytes imports = section(2, {0x01, 0x03, 'e', 'n', 'v', 0x03, 'a', 'd', 'd', 0x00, 0x00});
    Bytes funcs = section(3, {0x01, 0x00});
    Bytes exports = section(7, {0x01, 0x01, 'f', 0x00, 0x01});
    return module({types, imports, funcs, exports,
                   code({0x20, 0x00, 0x20, 0x01, 0x10, 0x00, 0x0b})});
}

wasm::Trap host_add(wasm::HostCall& call) {
    int* calls = static_cast<int*>(call.user_data());
    ++*calls;
    if (call.arg_i32(0) == 99)
        return wasm::Trap::exit(7);
    call.set_i32(0, call.arg_i32(0) + call.arg_i32(1));
    return wasm::Trap::none();
}

TEST(EngineTest, HostFunctionAndExit) {
    host::MallocAllocator alloc;
    wasm::Store store(alloc);
    wasm::Linker linker(alloc);
    static const ValType params[] = {ValType::I32, ValType::I32};
    static const ValType results[] = {ValType::I32};
    int calls = 0;
    ASSERT_TRUE(linker.define_host(store, "env", "add", params, results, host_add, &calls));
    auto m = store.load(host_call_module());
    ASSERT_TRUE(m.has_value()) << m.error().message;
    auto inst = store.instantiate(**m, linker);
    ASSERT_TRUE(inst.has_value());
    wasm::Value args[] = {wasm::Value::i32(40), wasm::Value::i32(2)};
    wasm::Value out[1];
    EXPECT_TRUE((*inst)->call("f", args, out).ok());
    EXPECT_EQ(out[0].as_i32(), 42u);
    args[0] = wasm::Value::i32(99);
    wasm::Trap t = (*inst)->call("f", args, out);
    EXPECT_TRUE(t.is_exit());
    EXPECT_EQ(t.exit_code, 7);
    EXPECT_EQ(calls, 2);
}

TEST(EngineTest, UnlinkableWithoutImport) {
    host::MallocAllocator alloc;
    wasm::Store store(alloc);
    wasm::Linker linker(alloc);
    auto m = store.load(host_call_module());
    ASSERT_TRUE(m.has_value());
    auto inst = store.instantiate(**m, linker);
    ASSERT_FALSE(inst.has_value());
    EXPECT_EQ(inst.error().kind, wasm::InstantiateError::Kind::Unlinkable);
}

// (func $f (export "f") call $f): unbounded recursion.
Bytes recursion_module() {
    Bytes types = section(1, {0x01, 0x60, 0x00, 0x00});
    Bytes exports = section(7, {0x01, 0x01, 'f', 0x00, 0x00});
    return module({types, section(3, {0x01, 0x00}), exports, code({0x10, 0x00, 0x0b})});
}

TEST(EngineTest, DeepRecursionTrapsInsteadOfOverflowingTheHostStack) {
    host::MallocAllocator alloc;
    wasm::Config config;
    config.max_call_depth = 1000;
    wasm::Store store(alloc, config);
    wasm::Linker linker(alloc);
    auto m = store.load(recursion_module());
    ASSERT_TRUE(m.has_value());
    auto inst = store.instantiate(**m, linker);
    ASSERT_TRUE(inst.has_value());
    wasm::Trap t = (*inst)->call("f", {}, {});
    EXPECT_EQ(t.kind, wasm::TrapKind::CallStackExhausted);
}

TEST(EngineTest, FuelExhaustionTraps) {
    host::MallocAllocator alloc;
    wasm::Config config;
    config.fuel = true;
    config.max_call_depth = 1u << 20;
    config.value_stack_slots = 1u << 22;
    wasm::Store store(alloc, config);
    wasm::Linker linker(alloc);
    // (func (export "f") (loop br 0)): an infinite loop.
    Bytes types = section(1, {0x01, 0x60, 0x00, 0x00});
    Bytes exports = section(7, {0x01, 0x01, 'f', 0x00, 0x00});
    auto m = store.load(module({types, section(3, {0x01, 0x00}), exports,
                                code({0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b})}));
    ASSERT_TRUE(m.has_value()) << m.error().message;
    auto inst = store.instantiate(**m, linker);
    ASSERT_TRUE(inst.has_value());
    store.set_fuel(10000);
    wasm::Trap t = (*inst)->call("f", {}, {});
    EXPECT_EQ(t.kind, wasm::TrapKind::OutOfFuel);
    EXPECT_EQ(store.fuel(), 0u);
}

TEST(EngineTest, MemoryAccessIsBoundsChecked) {
    host::MallocAllocator alloc;
    wasm::Store store(alloc);
    wasm::Memory* mem = store.create_memory(1, 2);
    ASSERT_NE(mem, nullptr);
    uint8_t buf[4] = {1, 2, 3, 4};
    EXPECT_TRUE(mem->write(wasm::kPageSize - 4, buf, 4));
    EXPECT_FALSE(mem->write(wasm::kPageSize - 3, buf, 4));
    EXPECT_FALSE(mem->read(~uint64_t{0}, buf, 1));
    EXPECT_EQ(mem->grow(1), std::optional<uint32_t>(1));
    EXPECT_EQ(mem->grow(1), std::nullopt); // max is 2 pages
    EXPECT_TRUE(mem->read(wasm::kPageSize - 4, buf, 4));
    EXPECT_EQ(buf[3], 4);
}

} // namespace
