// A small x86-64 machine code encoder: the instructions the Wasm compiler emits, nothing more.
//
// Operands are registers, immediates or base+index*scale+disp memory references. Jumps go to
// Labels; a jump to a label that is not yet bound is chained through its own rel32 field (each
// field holds the position of the previous unresolved jump) and patched by bind(), so labels
// need no allocation. Emission never fails on its own: when the buffer cannot grow, ok()
// turns false and the caller discards the code.
//
// The buffer is the assembler's own (not a lib::Vector): code is emitted at a cursor, and an
// instruction checks for room once, for its longest encoding, not once per byte — emission is
// the largest part of the compile time (docs/wasm-engine.md, "Compile speed").
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/allocator.h"

namespace wasm::x64 {

enum class Reg : uint8_t { rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15 };
enum class Xmm : uint8_t { x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 };

// Condition codes in their encoding order (the low nibble of Jcc/SETcc/CMOVcc).
enum class Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };
constexpr Cond negate(Cond c) { return static_cast<Cond>(static_cast<uint8_t>(c) ^ 1); }

struct Mem {
    Reg base = Reg::rax;
    Reg index = Reg::rsp; // rsp as index means none (the SIB encoding's own rule)
    uint8_t scale = 1;
    int32_t disp = 0;
};
inline Mem mem(Reg base, int32_t disp = 0) { return {base, Reg::rsp, 1, disp}; }
inline Mem mem(Reg base, Reg index, uint8_t scale, int32_t disp = 0) {
    return {base, index, scale, disp};
}

// Operand size of integer instructions.
enum class W : uint8_t { d, q }; // 32 or 64 bits

enum class Alu : uint8_t { add = 0, or_ = 1, and_ = 4, sub = 5, xor_ = 6, cmp = 7 };
enum class Shift : uint8_t { rol = 0, ror = 1, shl = 4, shr = 5, sar = 7 };
// Scalar SSE arithmetic, by the second opcode byte (F3 0F xx for single, F2 0F xx for double).
enum class Sse : uint8_t { sqrt = 0x51, add = 0x58, mul = 0x59, sub = 0x5c, div = 0x5e };

struct Label {
    int32_t pos = -1;      // bound position, or -1
    int32_t chain = -1;    // last unresolved rel32 field, or -1
    bool bound() const { return pos >= 0; }
};

class Assembler {
public:
    explicit Assembler(lib::Allocator* alloc) : alloc_(alloc) {}
    ~Assembler();
    Assembler(const Assembler&) = delete;
    Assembler& operator=(const Assembler&) = delete;

    bool ok() const { return ok_; }
    size_t size() const { return size_; }
    const uint8_t* data() const { return buf_; }
    uint8_t* data() { return buf_; }
    // Grows the buffer to hold at least n bytes in all, so that a caller that knows about how
    // much code is coming spares the regrowth copies. False (and ok() false) without memory.
    bool reserve(size_t n);

    // ---- moves ----
    void mov(W w, Reg dst, Reg src);
    void mov_imm(Reg dst, uint64_t imm); // the shortest form that yields exactly imm in 64 bits
    void load(W w, Reg dst, Mem src);
    void store(W w, Mem dst, Reg src);
    void store_imm32(W w, Mem dst, int32_t imm); // 64-bit form sign-extends imm
    // Narrow loads: size 1, 2 or 4 bytes, zero- or sign-extended to w.
    void load_ext(W w, Reg dst, Mem src, uint8_t size, bool sign);
    void store_narrow(Mem dst, Reg src, uint8_t size); // 1, 2, 4 or 8 bytes
    void lea(Reg dst, Mem src);
    void movsxd(Reg dst, Reg src);

    // ---- integer arithmetic ----
    void alu(Alu op, W w, Reg dst, Reg src);
    void alu_imm(Alu op, W w, Reg dst, int32_t imm);
    void alu_mem(Alu op, W w, Reg dst, Mem src);
    // 64-bit `op dst, imm32` always in the imm32 form; returns where the immediate is, so it
    // can be patched once known (frame sizes).
    size_t alu_imm32_q(Alu op, Reg dst);
    void test(W w, Reg a, Reg b);
    void imul(W w, Reg dst, Reg src);
    void shift_cl(Shift op, W w, Reg dst);
    void shift_imm(Shift op, W w, Reg dst, uint8_t n);
    void div(W w, Reg src, bool is_signed); // rdx:rax / src
    void cdq_cqo(W w);                      // sign-extend eax/rax into edx/rdx
    void neg(W w, Reg r);
    void bit_count(uint8_t opcode, W w, Reg dst, Reg src); // F3 0F opcode: popcnt/tzcnt/lzcnt
    void setcc(Cond c, Reg dst);  // the low byte only
    void movzx_byte(Reg dst, Reg src);
    void cmov(Cond c, W w, Reg dst, Reg src);

    // ---- SSE ----
    void movq_to_xmm(W w, Xmm dst, Reg src);   // movd/movq
    void movq_from_xmm(W w, Reg dst, Xmm src);
    void sse(Sse op, bool dbl, Xmm dst, Xmm src);
    void ucomi(bool dbl, Xmm a, Xmm b);
    void cvt_float(bool dbl_from, Xmm dst, Xmm src);         // cvtss2sd / cvtsd2ss
    void cvt_int_to_float(bool dbl, W w, Xmm dst, Reg src);  // cvtsi2ss/sd
    // movss/movsd: a load zeroes the rest of dst, a store writes only the 4 or 8 bytes.
    void load_float(bool dbl, Xmm dst, Mem src);
    void store_float(bool dbl, Mem dst, Xmm src);
    void sse_mem(Sse op, bool dbl, Xmm dst, Mem src);
    void ucomi_mem(bool dbl, Xmm a, Mem b);
    void movaps(Xmm dst, Xmm src); // the whole register
    void xorps(Xmm dst, Xmm src);

    // ---- control ----
    void jmp(Label& l);
    void jcc(Cond c, Label& l);
    void call(Label& l);
    void call_reg(Reg r);
    void jmp_reg(Reg r);
    void ret();
    void push(Reg r);
    void pop(Reg r);
    void bind(Label& l);
    void int3();
    // A rel32 field at `field` that points to `target` (for jumps emitted by position).
    void patch_rel32(size_t field, size_t target);
    void patch_imm32(size_t at, uint32_t v);
    // Drops the code from `pos` on; no label may refer into it.
    void rewind(size_t pos) {
        if (pos < size_)
            size_ = pos;
    }

    void byte(uint8_t b) {
        if (uint8_t* p = room(1)) {
            *p = b;
            ++size_;
        }
    }

private:
    // More than op_rr/op_rm ever write (prefix, REX, two opcode bytes, ModRM, SIB and disp32
    // make 10), so that they check for room once.
    static constexpr size_t kMaxInstr = 16;
    // Where the next n bytes go, with room for them; nullptr (and ok() false) when the buffer
    // cannot grow. The caller writes there and advances size_ by what it wrote.
    uint8_t* room(size_t n) {
        if (cap_ - size_ >= n) [[likely]]
            return buf_ + size_;
        return grow(n);
    }
    uint8_t* grow(size_t n);
    void imm32(uint32_t v);
    void imm64(uint64_t v);
    void rex(bool w, uint8_t reg, uint8_t index, uint8_t base, bool force = false);
    // prefix (0 = none), REX, opcode bytes, ModRM: the common shape of every instruction here.
    void op_rr(uint8_t prefix, bool w, const uint8_t* opc, size_t n, uint8_t reg, uint8_t rm,
               bool byte_regs = false);
    void op_rm(uint8_t prefix, bool w, const uint8_t* opc, size_t n, uint8_t reg, Mem m,
               bool byte_regs = false);
    void label_ref(Label& l);

    lib::Allocator* alloc_;
    uint8_t* buf_ = nullptr;
    size_t size_ = 0;
    size_t cap_ = 0;
    bool ok_ = true;
};

constexpr uint8_t code(Reg r) { return static_cast<uint8_t>(r); }
constexpr uint8_t code(Xmm r) { return static_cast<uint8_t>(r); }

} // namespace wasm::x64
