// The x86-64 encoder against byte sequences from the Intel SDM's encoding rules (the same
// bytes an assembler produces), covering each addressing special case: REX for r8-r15 and for
// byte registers SIL/DIL, SIB for rsp/r12 bases, a zero disp8 for rbp/r13 bases, imm8 versus
// imm32 forms, and label chains.
#include <gtest/gtest.h>

#include <vector>

#include "lib/wasm/x64/assembler.h"
#include "malloc_allocator.h"

namespace {

using namespace wasm::x64;
using Bytes = std::vector<uint8_t>;

class AssemblerTest : public ::testing::Test {
protected:
    Bytes bytes() const { return Bytes(a.data(), a.data() + a.size()); }
    // Emits with `emit` into a fresh buffer and compares.
    template <typename F> void expect(F emit, Bytes want) {
        Assembler fresh(&alloc);
        emit(fresh);
        ASSERT_TRUE(fresh.ok());
        EXPECT_EQ(Bytes(fresh.data(), fresh.data() + fresh.size()), want);
    }
    host::MallocAllocator alloc;
    Assembler a{&alloc};
};

TEST_F(AssemblerTest, Moves) {
    expect([](Assembler& a) { a.mov(W::q, Reg::rax, Reg::rbx); }, {0x48, 0x89, 0xd8});
    expect([](Assembler& a) { a.mov(W::d, Reg::r8, Reg::rax); }, {0x41, 0x89, 0xc0});
    expect([](Assembler& a) { a.mov_imm(Reg::rax, 1); }, {0xb8, 0x01, 0x00, 0x00, 0x00});
    expect([](Assembler& a) { a.mov_imm(Reg::r9, ~0ull); },
           {0x49, 0xc7, 0xc1, 0xff, 0xff, 0xff, 0xff});
    expect([](Assembler& a) { a.mov_imm(Reg::rcx, 0x123456789ull); },
           {0x48, 0xb9, 0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00});
    expect([](Assembler& a) { a.movsxd(Reg::rbx, Reg::rbx); }, {0x48, 0x63, 0xdb});
    expect([](Assembler& a) { a.lea(Reg::rcx, mem(Reg::rax, 8)); }, {0x48, 0x8d, 0x48, 0x08});
}

TEST_F(AssemblerTest, MemoryOperands) {
    expect([](Assembler& a) { a.load(W::q, Reg::rax, mem(Reg::rbp, -8)); },
           {0x48, 0x8b, 0x45, 0xf8});
    expect([](Assembler& a) { a.load(W::q, Reg::rax, mem(Reg::rsp, 8)); },
           {0x48, 0x8b, 0x44, 0x24, 0x08});
    expect([](Assembler& a) { a.load(W::q, Reg::r10, mem(Reg::r13)); }, {0x4d, 0x8b, 0x55, 0x00});
    expect([](Assembler& a) { a.load(W::d, Reg::rax, mem(Reg::r14, Reg::rax, 1)); },
           {0x41, 0x8b, 0x04, 0x06});
    expect([](Assembler& a) { a.store(W::q, mem(Reg::r12, 0x100), Reg::rbx); },
           {0x49, 0x89, 0x9c, 0x24, 0x00, 0x01, 0x00, 0x00});
    expect([](Assembler& a) { a.store_imm32(W::q, mem(Reg::rbp, -16), -1); },
           {0x48, 0xc7, 0x45, 0xf0, 0xff, 0xff, 0xff, 0xff});
}

TEST_F(AssemblerTest, NarrowAccesses) {
    expect([](Assembler& a) { a.store_narrow(mem(Reg::r14, Reg::rax, 1), Reg::rsi, 1); },
           {0x41, 0x88, 0x34, 0x06});
    expect([](Assembler& a) { a.store_narrow(mem(Reg::rax), Reg::rsi, 1); }, {0x40, 0x88, 0x30});
    expect([](Assembler& a) { a.store_narrow(mem(Reg::rax), Reg::rcx, 2); }, {0x66, 0x89, 0x08});
    expect([](Assembler& a) { a.load_ext(W::d, Reg::rax, mem(Reg::r14, Reg::rax, 1), 1, true); },
           {0x41, 0x0f, 0xbe, 0x04, 0x06});
    expect([](Assembler& a) { a.load_ext(W::q, Reg::rbx, mem(Reg::rax), 4, true); },
           {0x48, 0x63, 0x18});
}

TEST_F(AssemblerTest, Arithmetic) {
    expect([](Assembler& a) { a.alu_imm(Alu::add, W::q, Reg::rax, 1); }, {0x48, 0x83, 0xc0, 0x01});
    expect([](Assembler& a) { a.alu_imm(Alu::sub, W::d, Reg::rcx, 1000); },
           {0x81, 0xe9, 0xe8, 0x03, 0x00, 0x00});
    expect([](Assembler& a) { a.alu(Alu::cmp, W::q, Reg::rcx, Reg::r13); }, {0x4c, 0x39, 0xe9});
    expect([](Assembler& a) { a.imul(W::q, Reg::rbx, Reg::rax); }, {0x48, 0x0f, 0xaf, 0xd8});
    expect([](Assembler& a) { a.shift_cl(Shift::shl, W::d, Reg::rbx); }, {0xd3, 0xe3});
    expect([](Assembler& a) { a.shift_imm(Shift::sar, W::q, Reg::rdi, 3); },
           {0x48, 0xc1, 0xff, 0x03});
    expect([](Assembler& a) { a.div(W::q, Reg::rcx, true); }, {0x48, 0xf7, 0xf9});
    expect([](Assembler& a) { a.setcc(Cond::E, Reg::rsi); }, {0x40, 0x0f, 0x94, 0xc6});
    expect([](Assembler& a) { a.movzx_byte(Reg::rsi, Reg::rsi); }, {0x40, 0x0f, 0xb6, 0xf6});
    expect([](Assembler& a) { a.cmov(Cond::E, W::q, Reg::rbx, Reg::rsi); },
           {0x48, 0x0f, 0x44, 0xde});
}

TEST_F(AssemblerTest, Sse) {
    expect([](Assembler& a) { a.movq_to_xmm(W::q, Xmm::x14, Reg::rax); },
           {0x66, 0x4c, 0x0f, 0x6e, 0xf0});
    expect([](Assembler& a) { a.movq_from_xmm(W::d, Reg::rbx, Xmm::x14); },
           {0x66, 0x44, 0x0f, 0x7e, 0xf3});
    expect([](Assembler& a) { a.sse(Sse::add, false, Xmm::x14, Xmm::x15); },
           {0xf3, 0x45, 0x0f, 0x58, 0xf7});
    expect([](Assembler& a) { a.ucomi(true, Xmm::x14, Xmm::x15); },
           {0x66, 0x45, 0x0f, 0x2e, 0xf7});
    expect([](Assembler& a) { a.cvt_int_to_float(true, W::q, Xmm::x14, Reg::rbx); },
           {0xf2, 0x4c, 0x0f, 0x2a, 0xf3});
}

TEST_F(AssemblerTest, StackAndCalls) {
    expect([](Assembler& a) { a.push(Reg::r15); }, {0x41, 0x57});
    expect([](Assembler& a) { a.pop(Reg::rbp); }, {0x5d});
    expect([](Assembler& a) { a.call_reg(Reg::rax); }, {0xff, 0xd0});
    expect([](Assembler& a) { a.ret(); }, {0xc3});
}

TEST_F(AssemblerTest, BackwardJumpToBoundLabel) {
    Label top;
    a.bind(top);
    a.jmp(top);
    EXPECT_EQ(bytes(), (Bytes{0xe9, 0xfb, 0xff, 0xff, 0xff})); // rel32 = 0 - 5
}

TEST_F(AssemblerTest, ForwardJumpsChainUntilBound) {
    Label end;
    a.jcc(Cond::E, end); // 0..5, field at 2
    a.jmp(end);          // 6..10, field at 7
    a.ret();             // 11
    a.bind(end);         // 12
    EXPECT_EQ(bytes(), (Bytes{0x0f, 0x84, 0x06, 0x00, 0x00, 0x00, 0xe9, 0x01, 0x00, 0x00, 0x00,
                              0xc3}));
}

TEST_F(AssemblerTest, PatchableImmediate) {
    size_t at = a.alu_imm32_q(Alu::sub, Reg::rsp);
    a.patch_imm32(at, 0x40);
    EXPECT_EQ(bytes(), (Bytes{0x48, 0x81, 0xec, 0x40, 0x00, 0x00, 0x00}));
}

} // namespace
