// Encodings follow the Intel SDM, volume 2 (instruction formats and the opcode tables).
#include "lib/wasm/x64/assembler.h"

namespace wasm::x64 {
namespace {

bool fits8(int32_t v) { return v >= -128 && v <= 127; }

// The raw encoders below write at p, which has room (Assembler::room), and return the end.
uint8_t* put32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        *p++ = static_cast<uint8_t>(v >> (8 * i));
    return p;
}

// `force` asks for a REX prefix even when no bit is set: without one, byte registers 4-7 mean
// AH, CH, DH, BH instead of SPL, BPL, SIL, DIL.
uint8_t* put_rex(uint8_t* p, bool w, uint8_t reg, uint8_t index, uint8_t base, bool force) {
    uint8_t b = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | ((reg >> 3) << 2) | ((index >> 3) << 1) |
                                     (base >> 3));
    if (b != 0x40 || force)
        *p++ = b;
    return p;
}

uint8_t* put_modrm_mem(uint8_t* p, uint8_t reg, Mem m) {
    uint8_t base = code(m.base);
    bool has_index = m.index != Reg::rsp;
    // mod 00 with base rbp/r13 means RIP-relative (or no base), so those take a zero disp8.
    uint8_t mod = (m.disp == 0 && (base & 7) != 5) ? 0 : fits8(m.disp) ? 1 : 2;
    if (has_index || (base & 7) == 4) {
        uint8_t ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
        *p++ = static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | 4);
        *p++ = static_cast<uint8_t>((ss << 6) | ((code(m.index) & 7) << 3) | (base & 7));
    } else {
        *p++ = static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | (base & 7));
    }
    if (mod == 1)
        *p++ = static_cast<uint8_t>(m.disp);
    else if (mod == 2)
        p = put32(p, static_cast<uint32_t>(m.disp));
    return p;
}

} // namespace

Assembler::~Assembler() {
    if (buf_)
        alloc_->deallocate(buf_, cap_, 1);
}

bool Assembler::reserve(size_t n) {
    if (n <= cap_)
        return true;
    if (!ok_ || !alloc_) {
        ok_ = false;
        return false;
    }
    auto* fresh = static_cast<uint8_t*>(alloc_->allocate(n, 1));
    if (!fresh) {
        ok_ = false;
        return false;
    }
    if (size_)
        __builtin_memcpy(fresh, buf_, size_);
    if (buf_)
        alloc_->deallocate(buf_, cap_, 1);
    buf_ = fresh;
    cap_ = n;
    return true;
}

uint8_t* Assembler::grow(size_t n) {
    // Doubling keeps the copies linear in the code size; 4 KiB spares the first few steps.
    size_t want = cap_ < 4096 ? 4096 : cap_;
    while (want - size_ < n) {
        if (want > SIZE_MAX / 2) {
            ok_ = false;
            return nullptr;
        }
        want *= 2;
    }
    return reserve(want) ? buf_ + size_ : nullptr;
}

void Assembler::imm32(uint32_t v) {
    if (uint8_t* p = room(4))
        size_ = static_cast<size_t>(put32(p, v) - buf_);
}

void Assembler::imm64(uint64_t v) {
    if (uint8_t* p = room(8)) {
        p = put32(p, static_cast<uint32_t>(v));
        size_ = static_cast<size_t>(put32(p, static_cast<uint32_t>(v >> 32)) - buf_);
    }
}

void Assembler::rex(bool w, uint8_t reg, uint8_t index, uint8_t base, bool force) {
    if (uint8_t* p = room(1))
        size_ = static_cast<size_t>(put_rex(p, w, reg, index, base, force) - buf_);
}

void Assembler::op_rr(uint8_t prefix, bool w, const uint8_t* opc, size_t n, uint8_t reg,
                      uint8_t rm, bool byte_regs) {
    uint8_t* p = room(kMaxInstr);
    if (!p)
        return;
    if (prefix)
        *p++ = prefix;
    p = put_rex(p, w, reg, 0, rm, byte_regs && ((reg & 0xf) >= 4 || rm >= 4));
    for (size_t i = 0; i < n; ++i)
        *p++ = opc[i];
    *p++ = static_cast<uint8_t>(0xc0 | ((reg & 7) << 3) | (rm & 7));
    size_ = static_cast<size_t>(p - buf_);
}

void Assembler::op_rm(uint8_t prefix, bool w, const uint8_t* opc, size_t n, uint8_t reg, Mem m,
                      bool byte_regs) {
    uint8_t* p = room(kMaxInstr);
    if (!p)
        return;
    if (prefix)
        *p++ = prefix;
    p = put_rex(p, w, reg, code(m.index), code(m.base), byte_regs && reg >= 4);
    for (size_t i = 0; i < n; ++i)
        *p++ = opc[i];
    p = put_modrm_mem(p, reg, m);
    size_ = static_cast<size_t>(p - buf_);
}

// ---- moves ----

void Assembler::mov(W w, Reg dst, Reg src) {
    const uint8_t o[] = {0x89};
    op_rr(0, w == W::q, o, 1, code(src), code(dst));
}

void Assembler::mov_imm(Reg dst, uint64_t imm) {
    uint8_t r = code(dst);
    if (imm <= 0xffffffffu) { // mov r32, imm32 zero-extends
        rex(false, 0, 0, r);
        byte(static_cast<uint8_t>(0xb8 + (r & 7)));
        imm32(static_cast<uint32_t>(imm));
    } else if (static_cast<int64_t>(imm) == static_cast<int32_t>(imm)) {
        const uint8_t o[] = {0xc7};
        op_rr(0, true, o, 1, 0, r);
        imm32(static_cast<uint32_t>(imm));
    } else {
        rex(true, 0, 0, r);
        byte(static_cast<uint8_t>(0xb8 + (r & 7)));
        imm64(imm);
    }
}

void Assembler::load(W w, Reg dst, Mem src) {
    const uint8_t o[] = {0x8b};
    op_rm(0, w == W::q, o, 1, code(dst), src);
}

void Assembler::store(W w, Mem dst, Reg src) {
    const uint8_t o[] = {0x89};
    op_rm(0, w == W::q, o, 1, code(src), dst);
}

void Assembler::store_imm32(W w, Mem dst, int32_t imm) {
    const uint8_t o[] = {0xc7};
    op_rm(0, w == W::q, o, 1, 0, dst);
    imm32(static_cast<uint32_t>(imm));
}

void Assembler::load_ext(W w, Reg dst, Mem src, uint8_t size, bool sign) {
    bool q = w == W::q;
    if (size == 1 || size == 2) {
        const uint8_t o[] = {0x0f, static_cast<uint8_t>((sign ? 0xbe : 0xb6) + (size == 2))};
        op_rm(0, q, o, 2, code(dst), src);
    } else if (size == 4 && sign && q) {
        const uint8_t o[] = {0x63};
        op_rm(0, true, o, 1, code(dst), src);
    } else {
        load(size == 8 ? W::q : W::d, dst, src);
    }
}

void Assembler::store_narrow(Mem dst, Reg src, uint8_t size) {
    if (size == 1) {
        const uint8_t o[] = {0x88};
        op_rm(0, false, o, 1, code(src), dst, true);
    } else if (size == 2) {
        const uint8_t o[] = {0x89};
        op_rm(0x66, false, o, 1, code(src), dst);
    } else {
        store(size == 8 ? W::q : W::d, dst, src);
    }
}

void Assembler::lea(Reg dst, Mem src) {
    const uint8_t o[] = {0x8d};
    op_rm(0, true, o, 1, code(dst), src);
}

void Assembler::movsxd(Reg dst, Reg src) {
    const uint8_t o[] = {0x63};
    op_rr(0, true, o, 1, code(dst), code(src));
}

// ---- integer arithmetic ----

void Assembler::alu(Alu op, W w, Reg dst, Reg src) {
    const uint8_t o[] = {static_cast<uint8_t>((static_cast<uint8_t>(op) << 3) | 1)};
    op_rr(0, w == W::q, o, 1, code(src), code(dst));
}

void Assembler::alu_imm(Alu op, W w, Reg dst, int32_t imm) {
    const uint8_t o[] = {static_cast<uint8_t>(fits8(imm) ? 0x83 : 0x81)};
    op_rr(0, w == W::q, o, 1, static_cast<uint8_t>(op), code(dst));
    if (fits8(imm))
        byte(static_cast<uint8_t>(imm));
    else
        imm32(static_cast<uint32_t>(imm));
}

void Assembler::alu_mem(Alu op, W w, Reg dst, Mem src) {
    const uint8_t o[] = {static_cast<uint8_t>((static_cast<uint8_t>(op) << 3) | 3)};
    op_rm(0, w == W::q, o, 1, code(dst), src);
}

size_t Assembler::alu_imm32_q(Alu op, Reg dst) {
    const uint8_t o[] = {0x81};
    op_rr(0, true, o, 1, static_cast<uint8_t>(op), code(dst));
    size_t at = size();
    imm32(0);
    return at;
}

void Assembler::test(W w, Reg a, Reg b) {
    const uint8_t o[] = {0x85};
    op_rr(0, w == W::q, o, 1, code(b), code(a));
}

void Assembler::imul(W w, Reg dst, Reg src) {
    const uint8_t o[] = {0x0f, 0xaf};
    op_rr(0, w == W::q, o, 2, code(dst), code(src));
}

void Assembler::shift_cl(Shift op, W w, Reg dst) {
    const uint8_t o[] = {0xd3};
    op_rr(0, w == W::q, o, 1, static_cast<uint8_t>(op), code(dst));
}

void Assembler::shift_imm(Shift op, W w, Reg dst, uint8_t n) {
    const uint8_t o[] = {0xc1};
    op_rr(0, w == W::q, o, 1, static_cast<uint8_t>(op), code(dst));
    byte(n);
}

void Assembler::div(W w, Reg src, bool is_signed) {
    const uint8_t o[] = {0xf7};
    op_rr(0, w == W::q, o, 1, is_signed ? 7 : 6, code(src));
}

void Assembler::cdq_cqo(W w) {
    if (w == W::q)
        byte(0x48);
    byte(0x99);
}

void Assembler::neg(W w, Reg r) {
    const uint8_t o[] = {0xf7};
    op_rr(0, w == W::q, o, 1, 3, code(r));
}

void Assembler::bit_count(uint8_t opcode, W w, Reg dst, Reg src) {
    const uint8_t o[] = {0x0f, opcode};
    op_rr(0xf3, w == W::q, o, 2, code(dst), code(src));
}

void Assembler::setcc(Cond c, Reg dst) {
    const uint8_t o[] = {0x0f, static_cast<uint8_t>(0x90 + static_cast<uint8_t>(c))};
    op_rr(0, false, o, 2, 0, code(dst), true);
}

void Assembler::movzx_byte(Reg dst, Reg src) {
    const uint8_t o[] = {0x0f, 0xb6};
    op_rr(0, false, o, 2, code(dst), code(src), true);
}

void Assembler::cmov(Cond c, W w, Reg dst, Reg src) {
    const uint8_t o[] = {0x0f, static_cast<uint8_t>(0x40 + static_cast<uint8_t>(c))};
    op_rr(0, w == W::q, o, 2, code(dst), code(src));
}

// ---- SSE ----

void Assembler::movq_to_xmm(W w, Xmm dst, Reg src) {
    const uint8_t o[] = {0x0f, 0x6e};
    op_rr(0x66, w == W::q, o, 2, code(dst), code(src));
}

void Assembler::movq_from_xmm(W w, Reg dst, Xmm src) {
    const uint8_t o[] = {0x0f, 0x7e};
    op_rr(0x66, w == W::q, o, 2, code(src), code(dst));
}

void Assembler::sse(Sse op, bool dbl, Xmm dst, Xmm src) {
    const uint8_t o[] = {0x0f, static_cast<uint8_t>(op)};
    op_rr(dbl ? 0xf2 : 0xf3, false, o, 2, code(dst), code(src));
}

void Assembler::ucomi(bool dbl, Xmm a, Xmm b) {
    const uint8_t o[] = {0x0f, 0x2e};
    op_rr(dbl ? 0x66 : 0, false, o, 2, code(a), code(b));
}

void Assembler::cvt_float(bool dbl_from, Xmm dst, Xmm src) {
    const uint8_t o[] = {0x0f, 0x5a};
    op_rr(dbl_from ? 0xf2 : 0xf3, false, o, 2, code(dst), code(src));
}

void Assembler::cvt_int_to_float(bool dbl, W w, Xmm dst, Reg src) {
    const uint8_t o[] = {0x0f, 0x2a};
    op_rr(dbl ? 0xf2 : 0xf3, w == W::q, o, 2, code(dst), code(src));
}

void Assembler::load_float(bool dbl, Xmm dst, Mem src) {
    const uint8_t o[] = {0x0f, 0x10};
    op_rm(dbl ? 0xf2 : 0xf3, false, o, 2, code(dst), src);
}

void Assembler::store_float(bool dbl, Mem dst, Xmm src) {
    const uint8_t o[] = {0x0f, 0x11};
    op_rm(dbl ? 0xf2 : 0xf3, false, o, 2, code(src), dst);
}

void Assembler::sse_mem(Sse op, bool dbl, Xmm dst, Mem src) {
    const uint8_t o[] = {0x0f, static_cast<uint8_t>(op)};
    op_rm(dbl ? 0xf2 : 0xf3, false, o, 2, code(dst), src);
}

void Assembler::ucomi_mem(bool dbl, Xmm a, Mem b) {
    const uint8_t o[] = {0x0f, 0x2e};
    op_rm(dbl ? 0x66 : 0, false, o, 2, code(a), b);
}

void Assembler::movaps(Xmm dst, Xmm src) {
    const uint8_t o[] = {0x0f, 0x28};
    op_rr(0, false, o, 2, code(dst), code(src));
}

void Assembler::xorps(Xmm dst, Xmm src) {
    const uint8_t o[] = {0x0f, 0x57};
    op_rr(0, false, o, 2, code(dst), code(src));
}

// ---- control ----

void Assembler::label_ref(Label& l) {
    int32_t field = static_cast<int32_t>(size());
    if (l.bound()) {
        imm32(static_cast<uint32_t>(l.pos - (field + 4)));
        return;
    }
    imm32(static_cast<uint32_t>(l.chain));
    l.chain = field;
}

void Assembler::jmp(Label& l) {
    byte(0xe9);
    label_ref(l);
}

void Assembler::jcc(Cond c, Label& l) {
    byte(0x0f);
    byte(static_cast<uint8_t>(0x80 + static_cast<uint8_t>(c)));
    label_ref(l);
}

void Assembler::call(Label& l) {
    byte(0xe8);
    label_ref(l);
}

void Assembler::call_reg(Reg r) {
    const uint8_t o[] = {0xff};
    op_rr(0, false, o, 1, 2, code(r));
}

void Assembler::jmp_reg(Reg r) {
    const uint8_t o[] = {0xff};
    op_rr(0, false, o, 1, 4, code(r));
}

void Assembler::ret() { byte(0xc3); }

void Assembler::push(Reg r) {
    rex(false, 0, 0, code(r));
    byte(static_cast<uint8_t>(0x50 + (code(r) & 7)));
}

void Assembler::pop(Reg r) {
    rex(false, 0, 0, code(r));
    byte(static_cast<uint8_t>(0x58 + (code(r) & 7)));
}

void Assembler::int3() { byte(0xcc); }

void Assembler::patch_imm32(size_t at, uint32_t v) {
    if (at + 4 > size())
        return;
    for (int i = 0; i < 4; ++i)
        buf_[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

void Assembler::patch_rel32(size_t field, size_t target) {
    patch_imm32(field, static_cast<uint32_t>(static_cast<int64_t>(target) -
                                             static_cast<int64_t>(field + 4)));
}

void Assembler::bind(Label& l) {
    int32_t target = static_cast<int32_t>(size());
    int32_t field = l.chain;
    while (field >= 0 && static_cast<size_t>(field) + 4 <= size()) {
        uint32_t next = 0;
        for (int i = 0; i < 4; ++i)
            next |= static_cast<uint32_t>(buf_[static_cast<size_t>(field) + i]) << (8 * i);
        patch_rel32(static_cast<size_t>(field), static_cast<size_t>(target));
        field = static_cast<int32_t>(next);
    }
    l.chain = -1;
    l.pos = target;
}

} // namespace wasm::x64
