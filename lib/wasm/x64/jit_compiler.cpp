// The compiler tier: one pass over each validated function body, straight to x86-64.
//
// Code form. Fixed registers: r15 = Exec*, r12 = Instance*, r14 = linear memory base,
// r13 = its size in bytes, rbp = frame pointer. rax, rcx, rdx and xmm14/15 are scratch, never
// allocated. Two register classes, both treated as caller-saved: integers and references live
// in rbx, rsi, rdi, r8-r11, floats in xmm0-xmm13 (a float may also sit in a general register
// as its bits, after a reinterpretation or a select; it moves to an xmm register when used).
//
// Frame: arguments (and results, written over them) at [rbp+16+8i] in the caller's outgoing
// area; the other locals at [rbp-8(i-params+1)]; then one "canonical" slot per operand stack
// depth; then the outgoing area at [rsp] for calls and helpers. The frame size is patched into
// the prologue when the body is done.
//
// Register allocation. The compile-time operand stack records where every value is: in a
// register of either class, a constant not yet materialised, a local not yet copied (local.get costs nothing
// until the value is used), or spilled to its canonical slot. Registers are taken while free
// and the deepest register value is spilled when none is. At control-flow joins the state is
// canonical: on block, loop and if entry every value is spilled, and branches move the label's
// values into the target's canonical slots, so both sides of a join agree without a merge
// step. A block that no branch targets keeps its values in registers across its end.
//
// Traps jump to per-kind stubs that load the kind into eax and leave through the trampoline,
// which restores the stack pointer saved on entry: no unwinding through C++ frames ever happens,
// because helpers return their trap kind instead of raising it.
#include <cstddef>

#include "lib/wasm/module.h"
#include "lib/wasm/x64/assembler.h"
#include "lib/wasm/x64/decode.h"
#include "lib/wasm/x64/jit.h"
#include "lib/wasm/x64/jit_helpers.h"

namespace wasm {
namespace {

using namespace x64;
using jit::Instr;

constexpr Reg kExec = Reg::r15;
constexpr Reg kInst = Reg::r12;
constexpr Reg kMemBase = Reg::r14;
constexpr Reg kMemSize = Reg::r13;
constexpr Reg kAllocatable[] = {Reg::rbx, Reg::rsi, Reg::rdi, Reg::r8, Reg::r9, Reg::r10, Reg::r11};
// Floats: every xmm register is caller-saved in the System V ABI, and calls spill all values.
constexpr Xmm kXmmAllocatable[] = {Xmm::x0, Xmm::x1, Xmm::x2,  Xmm::x3,  Xmm::x4,  Xmm::x5, Xmm::x6,
                                   Xmm::x7, Xmm::x8, Xmm::x9, Xmm::x10, Xmm::x11, Xmm::x12, Xmm::x13};
constexpr size_t kTrapKinds = static_cast<size_t>(TrapKind::Exit) + 1;

bool is32(ValType t) { return t == ValType::I32 || t == ValType::F32; }
bool is_float(ValType t) { return t == ValType::F32 || t == ValType::F64; }
W width(ValType t) { return is32(t) ? W::d : W::q; }
uint32_t bit(Reg r) { return 1u << code(r); }
uint32_t bit(Xmm x) { return 1u << code(x); }
bool fits_simm32(uint64_t v) { return static_cast<int64_t>(v) == static_cast<int32_t>(v); }
template <typename T> int32_t off(T o) { return static_cast<int32_t>(o); }

const ValType kSingle[] = {ValType::I32, ValType::I64, ValType::F32,
                           ValType::F64, ValType::FuncRef, ValType::ExternRef};

struct Val {
    enum class K : uint8_t { Stack, Reg, Const, Local, Xmm } k = K::Stack;
    ValType type = ValType::I32;
    Reg r = Reg::rax;
    Xmm x = Xmm::x0; // K::Xmm: always a float
    uint32_t local = 0;
    uint64_t imm = 0;
    uint32_t depth = 0; // the stack position the value has (set when it is read)
};

enum class CtlKind : uint8_t { Func, Block, Loop, If };

struct Ctl {
    CtlKind kind = CtlKind::Block;
    std::span<const ValType> params;
    std::span<const ValType> results;
    uint32_t height = 0;
    Label label;      // the end (blocks, ifs) or the start (loops)
    Label else_label; // ifs: where the condition jumps when false
    bool branched = false;
    bool has_else = false;
    std::span<const ValType> label_types() const {
        return kind == CtlKind::Loop ? params : results;
    }
};

// What every function of the module shares: one code buffer, the function entry labels and the
// trap stubs.
struct ModuleState {
    explicit ModuleState(Module& mod)
        : m(mod), a(&mod.store->allocator()), funcs(&mod.store->allocator()),
          covered(&mod.store->allocator()), offsets(&mod.store->allocator()) {}
    Module& m;
    Assembler a;
    lib::Vector<Label> funcs;      // per defined function
    lib::Vector<uint8_t> covered;  // per defined function: compiled
    lib::Vector<uint32_t> offsets; // per defined function: entry offset in the buffer
    Label exit; // eax = trap kind; restores the embedder's stack (see emit_trampoline)
    bool has_memory = false;
};

bool block_type(const Module& m, int64_t bt, std::span<const ValType>& params,
                std::span<const ValType>& results) {
    params = results = {};
    if (bt == -64)
        return true;
    if (bt < 0) {
        ValType t;
        if (!decode_valtype(static_cast<uint8_t>(bt & 0x7f), t))
            return false;
        for (const ValType& s : kSingle)
            if (s == t)
                results = {&s, 1};
        return true;
    }
    if (static_cast<uint64_t>(bt) >= m.types.size())
        return false;
    params = m.types[static_cast<size_t>(bt)]->params;
    results = m.types[static_cast<size_t>(bt)]->results;
    return true;
}

// The result type of a numeric opcode (0x45-0xc4).
ValType numeric_result(uint8_t op) {
    if (op <= 0x66)
        return ValType::I32; // tests and comparisons
    if (op <= 0x78)
        return ValType::I32;
    if (op <= 0x8a)
        return ValType::I64;
    if (op <= 0x98)
        return ValType::F32;
    if (op <= 0xa6)
        return ValType::F64;
    switch (op) {
    case 0xa7: case 0xa8: case 0xa9: case 0xaa: case 0xab: case 0xbc: return ValType::I32;
    case 0xac: case 0xad: case 0xae: case 0xaf: case 0xb0: case 0xb1: case 0xbd:
        return ValType::I64;
    case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xbe: return ValType::F32;
    case 0xb7: case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbf: return ValType::F64;
    case 0xc0: case 0xc1: return ValType::I32;
    default: return ValType::I64; // 0xc2-0xc4
    }
}

uint8_t numeric_arity(uint8_t op) {
    bool unary = op == 0x45 || op == 0x50 || (op >= 0x67 && op <= 0x69) ||
                 (op >= 0x79 && op <= 0x7b) || (op >= 0x8b && op <= 0x91) ||
                 (op >= 0x99 && op <= 0x9f) || op >= 0xa7;
    return unary ? 1 : 2;
}

// A reader over a function's body, past its local declarations; their types go to `locals`
// (after what it already holds) when it is not nullptr.
bool open_body(const Module& m, const CompiledCode& cc, Reader& r, lib::Vector<ValType>* locals) {
    r = Reader(m.bytes + cc.body_offset, m.bytes + cc.body_offset + cc.body_size, cc.body_offset);
    uint32_t groups;
    if (!r.u32(groups))
        return false;
    for (uint32_t g = 0; g < groups; ++g) {
        uint32_t n;
        uint8_t tb;
        ValType t;
        if (!r.u32(n) || !r.u8(tb) || !decode_valtype(tb, t))
            return false;
        for (uint32_t i = 0; locals && i < n; ++i)
            if (!locals->push_back(t))
                return false;
    }
    return true;
}

// Whether the compiler covers every instruction of a body. What it does not cover (the table
// instructions and element segments) leaves the function to the interpreter.
bool covers(const Module& m, const CompiledCode& cc) {
    Reader r(nullptr, nullptr);
    if (!open_body(m, cc, r, nullptr))
        return false;
    lib::Vector<uint32_t> labels(&m.store->allocator());
    Instr in;
    while (!r.at_end()) {
        if (!jit::decode_instr(r, in, labels))
            return false;
        if (in.op == 0x25 || in.op == 0x26)
            return false;
        if (in.op == 0xfc && in.sub >= 12)
            return false;
    }
    return true;
}

class FuncJit {
public:
    FuncJit(ModuleState& ms, uint32_t index)
        : ms_(ms), a_(ms.a), m_(ms.m), index_(index), locals_(&ms.m.store->allocator()),
          stack_(&ms.m.store->allocator()), ctls_(&ms.m.store->allocator()),
          args_(&ms.m.store->allocator()), labels_(&ms.m.store->allocator()) {}

    bool run();

private:
    // ---- frame ----
    Mem local_mem(uint32_t x) const {
        return x < np_ ? mem(Reg::rbp, off(16 + 8 * x)) : mem(Reg::rbp, -off(8 * (x - np_ + 1)));
    }
    Mem slot_mem(uint32_t depth) const { return mem(Reg::rbp, -off(8 * (nlp_ + depth + 1))); }
    Mem out_mem(uint32_t j) const { return mem(Reg::rsp, off(8 * j)); }

    // ---- the operand stack ----
    void push(Val v) {
        if (!stack_.push_back(v))
            oom_ = true;
        if (v.k == Val::K::Reg)
            in_use_ |= bit(v.r);
        if (v.k == Val::K::Xmm)
            xmm_in_use_ |= bit(v.x);
        if (stack_.size() > max_height_)
            max_height_ = static_cast<uint32_t>(stack_.size());
    }
    void push_reg(ValType t, Reg r) { push({Val::K::Reg, t, r, Xmm::x0, 0, 0, 0}); }
    void push_xmm(ValType t, Xmm x) { push({Val::K::Xmm, t, Reg::rax, x, 0, 0, 0}); }
    void push_const(ValType t, uint64_t v) { push({Val::K::Const, t, Reg::rax, Xmm::x0, 0, v, 0}); }
    void push_local(ValType t, uint32_t x) { push({Val::K::Local, t, Reg::rax, Xmm::x0, x, 0, 0}); }
    void push_stack(ValType t) { push({Val::K::Stack, t, Reg::rax, Xmm::x0, 0, 0, 0}); }
    Val at(size_t i) const {
        Val v = stack_[i];
        v.depth = static_cast<uint32_t>(i);
        return v;
    }
    // The popped value's register (if any) stays taken until the instruction frees it.
    Val pop() {
        Val v = at(stack_.size() - 1);
        stack_.pop_back();
        return v;
    }
    void recompute_in_use() {
        in_use_ = 0;
        xmm_in_use_ = 0;
        for (const Val& v : stack_)
            if (v.k == Val::K::Reg)
                in_use_ |= bit(v.r);
            else if (v.k == Val::K::Xmm)
                xmm_in_use_ |= bit(v.x);
    }
    void release(const Val& v) {
        if (v.k == Val::K::Reg)
            in_use_ &= ~bit(v.r);
        else if (v.k == Val::K::Xmm)
            xmm_in_use_ &= ~bit(v.x);
    }
    void release(Reg r) { in_use_ &= ~bit(r); }
    void release(Xmm x) { xmm_in_use_ &= ~bit(x); }
    // A float's 8-byte slot: an f32 is stored with its upper half zero, as a GPR would store
    // it, so integer code reading the slot after a reinterpretation sees a zero-extended i32.
    void store_xmm(Mem dst, ValType t, Xmm x) {
        if (t == ValType::F64) {
            a_.store_float(true, dst, x);
        } else {
            a_.movq_from_xmm(W::d, Reg::rax, x);
            a_.store(W::q, dst, Reg::rax);
        }
    }

    void spill(size_t i) {
        Val& v = stack_[i];
        if (v.k == Val::K::Reg) {
            a_.store(W::q, slot_mem(static_cast<uint32_t>(i)), v.r);
            in_use_ &= ~bit(v.r);
            v.k = Val::K::Stack;
        } else if (v.k == Val::K::Xmm) {
            store_xmm(slot_mem(static_cast<uint32_t>(i)), v.type, v.x);
            xmm_in_use_ &= ~bit(v.x);
            v.k = Val::K::Stack;
        } else if (v.k == Val::K::Local) {
            a_.load(W::q, Reg::rax, local_mem(v.local));
            a_.store(W::q, slot_mem(static_cast<uint32_t>(i)), Reg::rax);
            v.k = Val::K::Stack;
        }
    }
    void spill_regs() {
        for (size_t i = 0; i < stack_.size(); ++i)
            if (stack_[i].k == Val::K::Reg || stack_[i].k == Val::K::Xmm)
                spill(i);
    }
    void spill_all() {
        for (size_t i = 0; i < stack_.size(); ++i)
            spill(i);
    }
    // A free register; spills the deepest register value when there is none. Never touches
    // the scratch registers.
    Reg alloc() {
        for (Reg r : kAllocatable)
            if (!(in_use_ & bit(r))) {
                in_use_ |= bit(r);
                return r;
            }
        for (size_t i = 0; i < stack_.size(); ++i)
            if (stack_[i].k == Val::K::Reg) {
                Reg r = stack_[i].r;
                spill(i);
                in_use_ |= bit(r);
                return r;
            }
        oom_ = true; // cannot happen: an instruction holds at most three registers
        return Reg::rbx;
    }
    Xmm alloc_xmm() {
        for (Xmm x : kXmmAllocatable)
            if (!(xmm_in_use_ & bit(x))) {
                xmm_in_use_ |= bit(x);
                return x;
            }
        for (size_t i = 0; i < stack_.size(); ++i)
            if (stack_[i].k == Val::K::Xmm) {
                Xmm x = stack_[i].x;
                spill(i);
                xmm_in_use_ |= bit(x);
                return x;
            }
        oom_ = true; // cannot happen: an instruction holds at most two xmm registers
        return Xmm::x0;
    }
    // A float value in an xmm register the instruction owns (and may overwrite).
    Xmm to_xmm(const Val& v) {
        if (v.k == Val::K::Xmm)
            return v.x;
        Xmm x = alloc_xmm();
        load_xmm(x, v);
        release(v);
        return x;
    }
    void load_xmm(Xmm dst, const Val& v) {
        bool dbl = v.type == ValType::F64;
        switch (v.k) {
        case Val::K::Xmm:
            if (v.x != dst)
                a_.movaps(dst, v.x);
            break;
        case Val::K::Reg: a_.movq_to_xmm(dbl ? W::q : W::d, dst, v.r); break;
        case Val::K::Const:
            if (v.imm == 0) {
                a_.xorps(dst, dst);
            } else {
                a_.mov_imm(Reg::rax, v.imm);
                a_.movq_to_xmm(dbl ? W::q : W::d, dst, Reg::rax);
            }
            break;
        case Val::K::Local: a_.load_float(dbl, dst, local_mem(v.local)); break;
        case Val::K::Stack: a_.load_float(dbl, dst, slot_mem(v.depth)); break;
        }
    }
    // The memory operand a float value can be used as, when it has one.
    bool float_mem(const Val& v, Mem& m) const {
        if (v.k == Val::K::Local)
            m = local_mem(v.local);
        else if (v.k == Val::K::Stack)
            m = slot_mem(v.depth);
        else
            return false;
        return true;
    }
    void load_into(Reg dst, const Val& v) {
        switch (v.k) {
        case Val::K::Reg:
            if (v.r != dst)
                a_.mov(W::q, dst, v.r);
            break;
        case Val::K::Xmm: a_.movq_from_xmm(width(v.type), dst, v.x); break;
        case Val::K::Const: a_.mov_imm(dst, v.imm); break;
        case Val::K::Local: a_.load(W::q, dst, local_mem(v.local)); break;
        case Val::K::Stack: a_.load(W::q, dst, slot_mem(v.depth)); break;
        }
    }
    // The value in a register the instruction owns (and may overwrite).
    Reg to_reg(const Val& v) {
        if (v.k == Val::K::Reg)
            return v.r;
        Reg r = alloc();
        load_into(r, v);
        release(v);
        return r;
    }
    void store_val(Mem dst, const Val& v) {
        switch (v.k) {
        case Val::K::Reg: a_.store(W::q, dst, v.r); return;
        case Val::K::Xmm: store_xmm(dst, v.type, v.x); return;
        case Val::K::Const:
            if (fits_simm32(v.imm)) {
                a_.store_imm32(W::q, dst, static_cast<int32_t>(v.imm));
                return;
            }
            a_.mov_imm(Reg::rax, v.imm);
            break;
        case Val::K::Local: a_.load(W::q, Reg::rax, local_mem(v.local)); break;
        case Val::K::Stack:
            if (dst.base == Reg::rbp && dst.disp == slot_mem(v.depth).disp)
                return;
            a_.load(W::q, Reg::rax, slot_mem(v.depth));
            break;
        }
        a_.store(W::q, dst, Reg::rax);
    }
    // Before local x changes, values that still read it get their own copy.
    void materialize_local(uint32_t x) {
        for (size_t i = 0; i < stack_.size(); ++i)
            if (stack_[i].k == Val::K::Local && stack_[i].local == x)
                load_local_value(stack_[i]);
    }
    // A value that reads a local gets it in a register of its class.
    void load_local_value(Val& v) {
        if (is_float(v.type)) {
            Xmm x = alloc_xmm();
            a_.load_float(v.type == ValType::F64, x, local_mem(v.local));
            v.k = Val::K::Xmm;
            v.x = x;
        } else {
            Reg r = alloc();
            a_.load(W::q, r, local_mem(v.local));
            v.k = Val::K::Reg;
            v.r = r;
        }
    }
    void set_dead() {
        stack_.truncate(ctls_.back().height);
        recompute_in_use();
        dead_ = true;
    }

    // ---- control ----
    Ctl& target(uint32_t depth) { return ctls_[ctls_.size() - 1 - depth]; }
    bool needs_copies(const Ctl& c) const {
        auto types = c.label_types();
        size_t n = types.size(), base = stack_.size() - n;
        for (size_t i = 0; i < n; ++i)
            if (stack_[base + i].k != Val::K::Stack || base + i != c.height + i)
                return true;
        return false;
    }
    void branch_copies(const Ctl& c) {
        size_t n = c.label_types().size(), base = stack_.size() - n;
        for (size_t i = 0; i < n; ++i)
            store_val(slot_mem(static_cast<uint32_t>(c.height + i)), at(base + i));
    }
    // Results are written over the arguments, so no result may still read a local.
    void prepare_return() {
        size_t n = type_->results.size();
        for (size_t i = stack_.size() > n ? stack_.size() - n : 0; i < stack_.size(); ++i)
            if (stack_[i].k == Val::K::Local)
                load_local_value(stack_[i]);
    }
    void return_copies() {
        size_t n = type_->results.size(), base = stack_.size() - n;
        for (size_t i = 0; i < n; ++i)
            store_val(mem(Reg::rbp, off(16 + 8 * i)), at(base + i));
    }
    // The moves and the jump of a branch; emits no code that changes the compile-time state.
    void branch_to(Ctl& c) {
        if (c.kind == CtlKind::Func) {
            return_copies();
            a_.jmp(ret_);
            return;
        }
        branch_copies(c);
        a_.jmp(c.label);
        c.branched = true;
    }
    // The condition of the compare just before a br_if or an if, taken over instead of its 0/1
    // result: the setcc and movzx are dropped and the branch uses the flags. Only moves come
    // between the compare and the jump, and moves leave the flags alone.
    void compare_result(Cond c, Reg r) {
        fuse_ = {true, a_.size(), c, r, ninstr_};
        a_.setcc(c, r);
        a_.movzx_byte(r, r);
        push_reg(ValType::I32, r);
    }
    bool take_compare(Cond& c) {
        if (!fuse_.valid || fuse_.instr + 1 != ninstr_ || stack_.empty() ||
            stack_.back().k != Val::K::Reg || stack_.back().r != fuse_.reg)
            return false;
        release(pop());
        a_.rewind(fuse_.pos);
        c = fuse_.cond;
        fuse_.valid = false;
        return true;
    }
    // Each function has its own trap stubs, which say in Exec which function left (jit_run
    // names it in the Trap), then leave through the module's exit.
    void trap_if(Cond cc, TrapKind k) { a_.jcc(cc, traps_[static_cast<size_t>(k)]); }
    void emit_trap_stubs() {
        for (size_t k = 1; k < kTrapKinds; ++k) {
            if (traps_[k].chain < 0)
                continue;
            a_.bind(traps_[k]);
            a_.mov_imm(Reg::rax, k);
            a_.jmp(trapped_);
        }
        if (trapped_.chain < 0)
            return;
        a_.bind(trapped_); // eax: the trap kind
        a_.store_imm32(W::d, mem(kExec, off(offsetof(Exec, jit_trap_function))),
                       static_cast<int32_t>(index_ + 1));
        a_.jmp(ms_.exit);
    }
    void reload_memory() {
        if (!ms_.has_memory)
            return;
        a_.load(W::q, Reg::rax, mem(kInst, off(offsetof(Instance, memory0))));
        a_.load(W::q, kMemBase, mem(Reg::rax, off(offsetof(Memory, bytes))));
        a_.load(W::q, kMemSize, mem(Reg::rax, off(offsetof(Memory, size))));
    }

    // ---- calls ----
    // Pops n arguments, spills everything else and stores the arguments at the bottom of the
    // frame, where callees and helpers read them.
    void pass_args(size_t n, size_t nres) {
        args_.clear();
        if (!args_.resize(n))
            oom_ = true;
        for (size_t j = n; j-- > 0 && !oom_;)
            args_[j] = pop();
        spill_regs();
        for (size_t j = 0; j < n && !oom_; ++j) {
            store_val(out_mem(static_cast<uint32_t>(j)), args_[j]);
            release(args_[j]);
        }
        size_t need = n > nres ? n : nres;
        if (need > max_out_)
            max_out_ = static_cast<uint32_t>(need);
    }
    void take_results(std::span<const ValType> results) {
        for (size_t j = 0; j < results.size(); ++j) {
            if (is_float(results[j])) {
                Xmm x = alloc_xmm();
                a_.load_float(results[j] == ValType::F64, x, out_mem(static_cast<uint32_t>(j)));
                push_xmm(results[j], x);
                continue;
            }
            Reg r = alloc();
            a_.load(W::q, r, out_mem(static_cast<uint32_t>(j)));
            push_reg(results[j], r);
        }
    }
    void call_helper(jit::Helper fn, uint64_t imm) {
        a_.mov(W::q, Reg::rdi, kExec);
        a_.mov(W::q, Reg::rsi, Reg::rsp);
        a_.mov(W::q, Reg::rdx, kInst);
        a_.mov_imm(Reg::rcx, imm);
        // The helper is an ordinary function of this program; its address fits the imm64.
        a_.mov_imm(Reg::rax, reinterpret_cast<uintptr_t>(fn));
        a_.call_reg(Reg::rax);
        a_.movzx_byte(Reg::rax, Reg::rax); // TrapKind is one byte: the rest of eax is undefined
        a_.test(W::d, Reg::rax, Reg::rax);
        a_.jcc(Cond::NE, trapped_);
    }
    void helper_op(jit::Helper fn, uint64_t imm, size_t nargs, std::span<const ValType> results,
                   bool may_change_memory) {
        pass_args(nargs, results.size());
        call_helper(fn, imm);
        if (may_change_memory)
            reload_memory();
        take_results(results);
    }
    void helper_op1(jit::Helper fn, uint64_t imm, size_t nargs, ValType result) {
        for (const ValType& s : kSingle)
            if (s == result)
                helper_op(fn, imm, nargs, {&s, 1}, false);
    }
    void call(uint32_t f);
    void call_indirect(uint32_t type_index, uint32_t table);

    // ---- instructions ----
    bool instr(const Instr& in);
    bool end();
    void numeric(uint8_t op);
    void int_binary(uint8_t op, W w);
    void int_compare(Cond c, W w);
    void divide(W w, bool is_signed, bool rem);
    void shift(Shift s, W w);
    void float_binary(Sse op, bool dbl);
    void float_compare(uint8_t which, bool dbl);
    void load(uint8_t op, uint32_t offset);
    void store(uint8_t op, uint32_t offset);
    void effective_address(Reg addr, uint32_t offset, uint8_t size);

    ModuleState& ms_;
    Assembler& a_;
    Module& m_;
    uint32_t index_;
    const FuncType* type_ = nullptr;
    uint32_t np_ = 0;  // parameters
    uint32_t nl_ = 0;  // all locals
    uint32_t nlp_ = 0; // locals that are not parameters
    lib::Vector<ValType> locals_;
    lib::Vector<Val> stack_;
    lib::Vector<Ctl> ctls_;
    lib::Vector<Val> args_;
    lib::Vector<uint32_t> labels_;
    uint32_t in_use_ = 0;
    uint32_t xmm_in_use_ = 0;
    uint32_t max_height_ = 0;
    uint32_t max_out_ = 0;
    bool dead_ = false;
    uint32_t dead_depth_ = 0;
    uint32_t ninstr_ = 0; // instructions compiled so far
    struct {
        bool valid = false;
        size_t pos = 0; // where the setcc starts
        Cond cond = Cond::E;
        Reg reg = Reg::rax;
        uint32_t instr = 0;
    } fuse_;
    bool oom_ = false;
    Label ret_;
    Label traps_[kTrapKinds];
    Label trapped_; // eax holds the kind: a helper's trap, or one of traps_ after setting it
};

bool FuncJit::run() {
    const CompiledCode& cc = m_.codes[index_];
    type_ = m_.types[m_.func_types[m_.num_imported_funcs + index_]];
    np_ = static_cast<uint32_t>(type_->params.size());
    nl_ = cc.num_locals;
    nlp_ = nl_ - np_;
    if (!locals_.reserve(nl_))
        return false;
    for (ValType t : type_->params)
        (void)locals_.push_back(t);
    Reader r(nullptr, nullptr);
    if (!open_body(m_, cc, r, &locals_) || locals_.size() != nl_)
        return false;

    // Prologue: frame, stack check against the limit the trampoline keeps in Exec, zeroed locals.
    a_.push(Reg::rbp);
    a_.mov(W::q, Reg::rbp, Reg::rsp);
    a_.mov(W::q, Reg::rax, Reg::rsp);
    size_t check_patch = a_.alu_imm32_q(Alu::sub, Reg::rax);
    a_.alu_mem(Alu::cmp, W::q, Reg::rax, mem(kExec, off(offsetof(Exec, jit_stack_limit))));
    trap_if(Cond::B, TrapKind::CallStackExhausted);
    size_t frame_patch = a_.alu_imm32_q(Alu::sub, Reg::rsp);
    if (nlp_ > 0) {
        a_.alu(Alu::xor_, W::d, Reg::rax, Reg::rax);
        if (nlp_ <= 16) {
            for (uint32_t i = 0; i < nlp_; ++i)
                a_.store(W::q, local_mem(np_ + i), Reg::rax);
        } else {
            // rcx counts nlp..1; local k (from 0) is at rbp - 8(k+1) = rdx + 8 rcx - 8.
            a_.lea(Reg::rdx, mem(Reg::rbp, -off(8 * nlp_)));
            a_.mov_imm(Reg::rcx, nlp_);
            Label loop;
            a_.bind(loop);
            a_.store(W::q, mem(Reg::rdx, Reg::rcx, 8, -8), Reg::rax);
            a_.alu_imm(Alu::sub, W::d, Reg::rcx, 1);
            a_.jcc(Cond::NE, loop);
        }
    }

    Ctl func;
    func.kind = CtlKind::Func;
    func.results = type_->results;
    if (!ctls_.push_back(func))
        return false;
    Instr in;
    while (!ctls_.empty()) {
        if (r.at_end() || !jit::decode_instr(r, in, labels_))
            return false;
        if (!instr(in) || oom_ || !a_.ok())
            return false;
    }
    emit_trap_stubs();

    uint32_t frame = 8 * (nlp_ + max_height_ + max_out_);
    frame = (frame + 15) & ~15u;
    a_.patch_imm32(check_patch, frame);
    a_.patch_imm32(frame_patch, frame);
    return a_.ok();
}

bool FuncJit::end() {
    Ctl c = ctls_.back();
    if (c.kind == CtlKind::Func) {
        if (!dead_) {
            prepare_return();
            return_copies();
        }
        a_.bind(ret_);
        a_.mov(W::q, Reg::rsp, Reg::rbp);
        a_.pop(Reg::rbp);
        a_.ret();
        ctls_.pop_back();
        return true;
    }
    if (c.kind == CtlKind::If && !c.has_else)
        c.branched = true; // the false edge arrives with the parameters, which are the results
    if (c.kind != CtlKind::Loop && c.branched) {
        if (!dead_)
            branch_copies(c);
        a_.bind(c.label);
        if (c.kind == CtlKind::If && !c.has_else)
            a_.bind(c.else_label);
        stack_.truncate(c.height);
        recompute_in_use();
        for (ValType t : c.results)
            push_stack(t);
        dead_ = false;
    } else if (dead_) {
        stack_.truncate(c.height);
        recompute_in_use();
        for (ValType t : c.results)
            push_stack(t);
    }
    // Otherwise only the fall-through reaches the end: the values stay where they are.
    ctls_.pop_back();
    return true;
}

void FuncJit::call(uint32_t f) {
    const FuncType& ft = *m_.types[m_.func_types[f]];
    pass_args(ft.params.size(), ft.results.size());
    uint32_t imported = m_.num_imported_funcs;
    if (f >= imported && ms_.covered[f - imported]) {
        a_.call(ms_.funcs[f - imported]);
    } else {
        call_helper(&jit::call_index, f);
    }
    reload_memory();
    take_results(ft.results);
}

void FuncJit::call_indirect(uint32_t type_index, uint32_t table) {
    const FuncType& ft = *m_.types[type_index];
    Val idx = pop();
    Reg ri = to_reg(idx);
    pass_args(ft.params.size(), ft.results.size());
    a_.load(W::q, Reg::rax, mem(kInst, off(offsetof(Instance, tables))));
    a_.load(W::q, Reg::rax, mem(Reg::rax, off(8 * table)));
    a_.alu_mem(Alu::cmp, W::d, ri, mem(Reg::rax, off(offsetof(Table, size))));
    trap_if(Cond::AE, TrapKind::UndefinedElement);
    a_.load(W::q, Reg::rax, mem(Reg::rax, off(offsetof(Table, elems))));
    a_.load(W::q, Reg::rax, mem(Reg::rax, ri, 8));
    release(ri);
    a_.test(W::q, Reg::rax, Reg::rax);
    trap_if(Cond::E, TrapKind::UninitializedElement);
    // Signatures are interned per Store: equal types are the same pointer.
    a_.load(W::q, Reg::rdx, mem(kInst, off(offsetof(Instance, types))));
    a_.load(W::q, Reg::rdx, mem(Reg::rdx, off(8 * type_index)));
    a_.alu_mem(Alu::cmp, W::q, Reg::rdx, mem(Reg::rax, off(offsetof(Function, type))));
    trap_if(Cond::NE, TrapKind::IndirectCallTypeMismatch);
    // A compiled function of this instance is called directly; anything else (host functions,
    // other instances, functions left to the interpreter) through the helper.
    Label slow, done;
    a_.alu_mem(Alu::cmp, W::q, kInst, mem(Reg::rax, off(offsetof(Function, instance))));
    a_.jcc(Cond::NE, slow);
    a_.load(W::q, Reg::rdx, mem(Reg::rax, off(offsetof(Function, code))));
    a_.test(W::q, Reg::rdx, Reg::rdx);
    a_.jcc(Cond::E, slow);
    a_.load(W::q, Reg::rdx, mem(Reg::rdx, off(offsetof(CompiledCode, jit_entry))));
    a_.test(W::q, Reg::rdx, Reg::rdx);
    a_.jcc(Cond::E, slow);
    a_.call_reg(Reg::rdx);
    a_.jmp(done);
    a_.bind(slow);
    a_.mov(W::q, Reg::rdi, kExec);
    a_.mov(W::q, Reg::rsi, Reg::rsp);
    a_.mov(W::q, Reg::rdx, kInst);
    a_.mov(W::q, Reg::rcx, Reg::rax);
    // As in call_helper: the helper's address is an ordinary function pointer.
    a_.mov_imm(Reg::rax, reinterpret_cast<uintptr_t>(&jit::call_function));
    a_.call_reg(Reg::rax);
    a_.movzx_byte(Reg::rax, Reg::rax);
    a_.test(W::d, Reg::rax, Reg::rax);
    a_.jcc(Cond::NE, trapped_);
    a_.bind(done);
    reload_memory();
    take_results(ft.results);
}

void FuncJit::int_binary(uint8_t op, W w) {
    Val b = pop();
    Val a = pop();
    Reg ra = to_reg(a);
    static constexpr Alu kAlu[] = {Alu::add, Alu::sub, Alu::add /* mul */, Alu::and_, Alu::or_,
                                   Alu::xor_};
    // op: 0 add, 1 sub, 2 mul, 3 and, 4 or, 5 xor
    if (op == 2) {
        if (b.k == Val::K::Reg) {
            a_.imul(w, ra, b.r);
            release(b);
        } else {
            load_into(Reg::rax, b);
            a_.imul(w, ra, Reg::rax);
        }
    } else if (b.k == Val::K::Const && (w == W::d || fits_simm32(b.imm))) {
        a_.alu_imm(kAlu[op], w, ra, static_cast<int32_t>(b.imm));
    } else if (b.k == Val::K::Reg) {
        a_.alu(kAlu[op], w, ra, b.r);
        release(b);
    } else if (b.k == Val::K::Local) {
        a_.alu_mem(kAlu[op], w, ra, local_mem(b.local));
    } else if (b.k == Val::K::Stack) {
        a_.alu_mem(kAlu[op], w, ra, slot_mem(b.depth));
    } else {
        a_.mov_imm(Reg::rax, b.imm);
        a_.alu(kAlu[op], w, ra, Reg::rax);
    }
    push_reg(w == W::d ? ValType::I32 : ValType::I64, ra);
}

void FuncJit::int_compare(Cond c, W w) {
    Val b = pop();
    Val a = pop();
    Reg ra = to_reg(a);
    if (b.k == Val::K::Const && (w == W::d || fits_simm32(b.imm))) {
        a_.alu_imm(Alu::cmp, w, ra, static_cast<int32_t>(b.imm));
    } else if (b.k == Val::K::Reg) {
        a_.alu(Alu::cmp, w, ra, b.r);
        release(b);
    } else {
        load_into(Reg::rax, b);
        a_.alu(Alu::cmp, w, ra, Reg::rax);
    }
    compare_result(c, ra);
}

void FuncJit::divide(W w, bool is_signed, bool rem) {
    Val b = pop();
    Val a = pop();
    load_into(Reg::rax, a);
    load_into(Reg::rcx, b);
    release(a);
    release(b);
    a_.test(w, Reg::rcx, Reg::rcx);
    trap_if(Cond::E, TrapKind::IntegerDivideByZero);
    Label do_div, done;
    if (is_signed) {
        a_.alu_imm(Alu::cmp, w, Reg::rcx, -1);
        a_.jcc(Cond::NE, do_div);
        if (rem) {
            a_.alu(Alu::xor_, W::d, Reg::rdx, Reg::rdx); // x rem -1 = 0 (idiv would fault)
            a_.jmp(done);
        } else {
            // x / -1 overflows only for the minimum; idiv would fault on it.
            if (w == W::d) {
                a_.alu_imm(Alu::cmp, W::d, Reg::rax, INT32_MIN);
            } else {
                a_.mov_imm(Reg::rdx, 0x8000000000000000ull);
                a_.alu(Alu::cmp, W::q, Reg::rax, Reg::rdx);
            }
            trap_if(Cond::E, TrapKind::IntegerOverflow);
        }
        a_.bind(do_div);
        a_.cdq_cqo(w);
    } else {
        a_.alu(Alu::xor_, W::d, Reg::rdx, Reg::rdx);
    }
    a_.div(w, Reg::rcx, is_signed);
    a_.bind(done);
    Reg r = alloc();
    a_.mov(w, r, rem ? Reg::rdx : Reg::rax);
    push_reg(w == W::d ? ValType::I32 : ValType::I64, r);
}

void FuncJit::shift(Shift s, W w) {
    Val b = pop();
    Val a = pop();
    Reg ra = to_reg(a);
    if (b.k == Val::K::Const) {
        a_.shift_imm(s, w, ra, static_cast<uint8_t>(b.imm & (w == W::d ? 31 : 63)));
    } else {
        load_into(Reg::rcx, b);
        release(b);
        a_.shift_cl(s, w, ra); // the hardware masks the count as Wasm does
    }
    push_reg(w == W::d ? ValType::I32 : ValType::I64, ra);
}

void FuncJit::float_binary(Sse op, bool dbl) {
    Val b;
    if (op != Sse::sqrt)
        b = pop();
    Val a = pop();
    Xmm xa = to_xmm(a);
    Mem m;
    if (op == Sse::sqrt) {
        a_.sse(op, dbl, xa, xa);
    } else if (b.k == Val::K::Xmm) {
        a_.sse(op, dbl, xa, b.x);
        release(b);
    } else if (float_mem(b, m)) {
        a_.sse_mem(op, dbl, xa, m); // an f32 reads the low half of its slot
    } else {
        load_xmm(Xmm::x15, b);
        release(b);
        a_.sse(op, dbl, xa, Xmm::x15);
    }
    push_xmm(dbl ? ValType::F64 : ValType::F32, xa);
}

// which: 0 eq, 1 ne, 2 lt, 3 gt, 4 le, 5 ge. Unordered operands give false, except for ne.
// ucomis sets ZF, PF and CF all to 1 when unordered, so "above" and "above or equal" of the
// operands in the right order are false then; eq and ne also need the parity flag.
void FuncJit::float_compare(uint8_t which, bool dbl) {
    Val b = pop();
    Val a = pop();
    if (which == 2 || which == 4) { // a < b as b > a, a <= b as b >= a
        Val t = a;
        a = b;
        b = t;
    }
    Xmm xa = to_xmm(a);
    Mem m;
    if (b.k == Val::K::Xmm) {
        a_.ucomi(dbl, xa, b.x);
        release(b);
    } else if (float_mem(b, m)) {
        a_.ucomi_mem(dbl, xa, m);
    } else {
        load_xmm(Xmm::x15, b);
        release(b);
        a_.ucomi(dbl, xa, Xmm::x15);
    }
    release(xa);
    Reg r = alloc();
    if (which >= 2) {
        compare_result(which == 2 || which == 3 ? Cond::A : Cond::AE, r);
        return;
    }
    a_.setcc(which == 0 ? Cond::E : Cond::NE, r);
    a_.setcc(which == 0 ? Cond::NP : Cond::P, Reg::rcx);
    a_.movzx_byte(r, r);
    a_.movzx_byte(Reg::rcx, Reg::rcx);
    a_.alu(which == 0 ? Alu::and_ : Alu::or_, W::d, r, Reg::rcx);
    push_reg(ValType::I32, r);
}

void FuncJit::numeric(uint8_t op) {
    static constexpr Cond kIntCond[] = {Cond::E, Cond::NE, Cond::L,  Cond::B,  Cond::G,
                                        Cond::A, Cond::LE, Cond::BE, Cond::GE, Cond::AE};
    static constexpr Shift kShift[] = {Shift::shl, Shift::sar, Shift::shr, Shift::rol, Shift::ror};
    static constexpr Sse kSse[] = {Sse::add, Sse::sub, Sse::mul, Sse::div};
    if (op == 0x45 || op == 0x50) { // eqz
        Val a = pop();
        Reg ra = to_reg(a);
        a_.test(op == 0x45 ? W::d : W::q, ra, ra);
        compare_result(Cond::E, ra);
        return;
    }
    if (op >= 0x46 && op <= 0x4f)
        return int_compare(kIntCond[op - 0x46], W::d);
    if (op >= 0x51 && op <= 0x5a)
        return int_compare(kIntCond[op - 0x51], W::q);
    if (op >= 0x5b && op <= 0x60)
        return float_compare(static_cast<uint8_t>(op - 0x5b), false);
    if (op >= 0x61 && op <= 0x66)
        return float_compare(static_cast<uint8_t>(op - 0x61), true);
    // i32 (0x6a..) and i64 (0x7c..) share one layout, 0x12 apart.
    for (int k = 0; k < 2; ++k) {
        uint8_t base = k == 0 ? 0x6a : 0x7c;
        W w = k == 0 ? W::d : W::q;
        if (op < base || op > base + 14)
            continue;
        uint8_t i = static_cast<uint8_t>(op - base);
        if (i <= 2)
            return int_binary(i, w);
        if (i >= 3 && i <= 6)
            return divide(w, i == 3 || i == 5, i >= 5);
        if (i >= 7 && i <= 9)
            return int_binary(static_cast<uint8_t>(i - 4), w);
        return shift(kShift[i - 10], w);
    }
    if ((op >= 0x92 && op <= 0x95) || (op >= 0xa0 && op <= 0xa3))
        return float_binary(kSse[op <= 0x95 ? op - 0x92 : op - 0xa0], op >= 0xa0);
    if (op == 0x91 || op == 0x9f)
        return float_binary(Sse::sqrt, op == 0x9f);
    switch (op) {
    case 0x8b:   // f32.abs
    case 0x8c: { // f32.neg: on the bits, in a general register
        Val a = pop();
        Reg ra = to_reg(a);
        if (op == 0x8b)
            a_.alu_imm(Alu::and_, W::d, ra, 0x7fffffff);
        else
            a_.alu_imm(Alu::xor_, W::d, ra, INT32_MIN);
        push_reg(ValType::F32, ra);
        return;
    }
    case 0x99:   // f64.abs
    case 0x9a: { // f64.neg
        Val a = pop();
        Reg ra = to_reg(a);
        a_.mov_imm(Reg::rax, op == 0x99 ? 0x7fffffffffffffffull : 0x8000000000000000ull);
        a_.alu(op == 0x99 ? Alu::and_ : Alu::xor_, W::q, ra, Reg::rax);
        push_reg(ValType::F64, ra);
        return;
    }
    case 0xa7: { // i32.wrap_i64
        Val a = pop();
        Reg ra = to_reg(a);
        a_.mov(W::d, ra, ra);
        push_reg(ValType::I32, ra);
        return;
    }
    case 0xac: { // i64.extend_i32_s
        Val a = pop();
        Reg ra = to_reg(a);
        a_.movsxd(ra, ra);
        push_reg(ValType::I64, ra);
        return;
    }
    case 0xad: // i64.extend_i32_u: registers and slots keep i32 values zero-extended
    case 0xbe: // reinterpretations to a float: a general register or a slot holds its bits
    case 0xbf: {
        Val a = pop();
        a.type = numeric_result(op);
        push(a);
        return;
    }
    case 0xbc:   // i32.reinterpret_f32
    case 0xbd: { // i64.reinterpret_f64: the bits leave an xmm register for a general one
        Val a = pop();
        if (a.k == Val::K::Xmm) {
            Reg r = to_reg(a);
            push_reg(numeric_result(op), r);
            return;
        }
        a.type = numeric_result(op);
        push(a);
        return;
    }
    case 0xc0: case 0xc1: case 0xc2: case 0xc3: case 0xc4: { // sign extension by shifts
        Val a = pop();
        Reg ra = to_reg(a);
        bool q = op >= 0xc2;
        uint8_t from = op == 0xc0 || op == 0xc2 ? 8 : (op == 0xc1 || op == 0xc3) ? 16 : 32;
        uint8_t n = static_cast<uint8_t>((q ? 64 : 32) - from);
        a_.shift_imm(Shift::shl, q ? W::q : W::d, ra, n);
        a_.shift_imm(Shift::sar, q ? W::q : W::d, ra, n);
        push_reg(q ? ValType::I64 : ValType::I32, ra);
        return;
    }
    case 0xb2: case 0xb3: case 0xb4: case 0xb7: case 0xb8: case 0xb9: {
        // Integer to float: signed forms directly; an unsigned i32 is a non-negative i64.
        bool dbl = op >= 0xb7;
        W w = (op == 0xb2 || op == 0xb7) ? W::d : W::q;
        Val a = pop();
        Reg ra = to_reg(a);
        release(ra);
        Xmm x = alloc_xmm();
        a_.xorps(x, x); // cvtsi2s* keeps the rest of x: no dependence on its old value
        a_.cvt_int_to_float(dbl, w, x, ra);
        push_xmm(dbl ? ValType::F64 : ValType::F32, x);
        return;
    }
    case 0xb6:   // f32.demote_f64
    case 0xbb: { // f64.promote_f32
        bool from_dbl = op == 0xb6;
        Val a = pop();
        Xmm x = to_xmm(a);
        a_.cvt_float(from_dbl, x, x);
        push_xmm(from_dbl ? ValType::F32 : ValType::F64, x);
        return;
    }
    default: break;
    }
    // The rest (bit counts, rounding, min/max, copysign, float-to-int and unsigned i64
    // conversions) calls the helper generated from the same definitions as the interpreter.
    helper_op1(jit::numeric_helper(op), 0, numeric_arity(op), numeric_result(op));
}

// rax = zero-extended address + offset, checked to leave `size` bytes inside the memory.
void FuncJit::effective_address(Reg addr, uint32_t offset, uint8_t size) {
    a_.mov(W::d, Reg::rax, addr);
    if (offset != 0) {
        if (offset <= 0x7fffffffu) {
            a_.alu_imm(Alu::add, W::q, Reg::rax, static_cast<int32_t>(offset));
        } else {
            a_.mov_imm(Reg::rcx, offset);
            a_.alu(Alu::add, W::q, Reg::rax, Reg::rcx);
        }
    }
    // At most 2^32 + 2^32 + 8: the sum cannot wrap.
    a_.lea(Reg::rcx, mem(Reg::rax, size));
    a_.alu(Alu::cmp, W::q, Reg::rcx, kMemSize);
    trap_if(Cond::A, TrapKind::MemoryOutOfBounds);
}

void FuncJit::load(uint8_t op, uint32_t offset) {
    struct L {
        uint8_t size;
        bool sign;
        ValType type;
    };
    static constexpr L kLoads[] = {
        {4, false, ValType::I32}, {8, false, ValType::I64}, {4, false, ValType::F32},
        {8, false, ValType::F64}, {1, true, ValType::I32},  {1, false, ValType::I32},
        {2, true, ValType::I32},  {2, false, ValType::I32}, {1, true, ValType::I64},
        {1, false, ValType::I64}, {2, true, ValType::I64},  {2, false, ValType::I64},
        {4, true, ValType::I64},  {4, false, ValType::I64}};
    const L& l = kLoads[op - 0x28];
    Val a = pop();
    Reg ra = to_reg(a);
    effective_address(ra, offset, l.size);
    if (is_float(l.type)) {
        release(ra);
        Xmm x = alloc_xmm();
        a_.load_float(l.type == ValType::F64, x, mem(kMemBase, Reg::rax, 1));
        push_xmm(l.type, x);
        return;
    }
    a_.load_ext(width(l.type), ra, mem(kMemBase, Reg::rax, 1), l.size, l.sign);
    push_reg(l.type, ra);
}

void FuncJit::store(uint8_t op, uint32_t offset) {
    static constexpr uint8_t kSizes[] = {4, 8, 4, 8, 1, 2, 1, 2, 4};
    uint8_t size = kSizes[op - 0x36];
    Val v = pop();
    Val a = pop();
    if (v.k == Val::K::Xmm) { // f32.store, f64.store
        Reg ra = to_reg(a);
        effective_address(ra, offset, size);
        a_.store_float(size == 8, mem(kMemBase, Reg::rax, 1), v.x);
        release(v);
        release(ra);
        return;
    }
    Reg rv = to_reg(v);
    Reg ra = to_reg(a);
    effective_address(ra, offset, size);
    a_.store_narrow(mem(kMemBase, Reg::rax, 1), rv, size);
    release(rv);
    release(ra);
}

bool FuncJit::instr(const Instr& in) {
    ++ninstr_;
    if (dead_) {
        switch (in.op) {
        case 0x02:
        case 0x03:
        case 0x04: ++dead_depth_; return true;
        case 0x05:
            if (dead_depth_ > 0)
                return true;
            break;
        case 0x0b:
            if (dead_depth_ > 0) {
                --dead_depth_;
                return true;
            }
            break;
        default: return true;
        }
    }
    switch (in.op) {
    case 0x00:
        a_.jmp(traps_[static_cast<size_t>(TrapKind::Unreachable)]);
        set_dead();
        return true;
    case 0x01: return true;
    case 0x02:
    case 0x03:
    case 0x04: {
        Ctl c;
        if (!block_type(m_, in.block_type, c.params, c.results))
            return false;
        c.kind = in.op == 0x02 ? CtlKind::Block : in.op == 0x03 ? CtlKind::Loop : CtlKind::If;
        Reg cond = Reg::rax;
        Cond jump_if = Cond::NE; // when the then-branch runs
        bool fused = c.kind == CtlKind::If && take_compare(jump_if);
        if (c.kind == CtlKind::If && !fused) {
            Val v = pop();
            cond = to_reg(v);
        }
        spill_all();
        c.height = static_cast<uint32_t>(stack_.size() - c.params.size());
        if (c.kind != CtlKind::Block) {
            // Back edges of a loop bring the parameters in their slots, and so do the else
            // branch and the false edge of an if: constant parameters are stored too.
            for (size_t i = c.height; i < stack_.size(); ++i)
                if (stack_[i].k == Val::K::Const) {
                    store_val(slot_mem(static_cast<uint32_t>(i)), at(i));
                    stack_[i].k = Val::K::Stack;
                }
        }
        if (c.kind == CtlKind::Loop)
            a_.bind(c.label);
        if (!ctls_.push_back(c))
            return false;
        if (c.kind == CtlKind::If) {
            if (!fused) {
                a_.test(W::d, cond, cond);
                release(cond);
            }
            a_.jcc(negate(jump_if), ctls_.back().else_label);
        }
        return true;
    }
    case 0x05: { // else
        Ctl& c = ctls_.back();
        if (!dead_) {
            branch_copies(c);
            a_.jmp(c.label);
            c.branched = true;
        }
        a_.bind(c.else_label);
        c.has_else = true;
        stack_.truncate(c.height);
        recompute_in_use();
        for (ValType t : c.params)
            push_stack(t);
        dead_ = false;
        return true;
    }
    case 0x0b: return end();
    case 0x0c:
        branch_to(target(in.a));
        set_dead();
        return true;
    case 0x0d: { // br_if
        Cond taken = Cond::NE;
        bool fused = take_compare(taken);
        Reg cond = Reg::rax;
        if (!fused) {
            Val v = pop();
            cond = to_reg(v);
        }
        Ctl& t = target(in.a);
        if (t.kind == CtlKind::Func)
            prepare_return();
        if (!fused) {
            a_.test(W::d, cond, cond);
            release(cond);
        }
        if (t.kind != CtlKind::Func && !needs_copies(t)) {
            a_.jcc(taken, t.label);
            t.branched = true;
        } else {
            Label skip;
            a_.jcc(negate(taken), skip);
            branch_to(t);
            a_.bind(skip);
        }
        return true;
    }
    case 0x0e: { // br_table: a compare chain, then one stub per label that needs moves
        Val v = pop();
        Reg idx = to_reg(v);
        prepare_return(); // a return target reads the stack; harmless for the others
        size_t n = labels_.size() - 1;
        lib::Vector<Label> stubs(&m_.store->allocator());
        if (!stubs.resize(n + 1))
            return false;
        for (size_t i = 0; i < n; ++i) {
            a_.alu_imm(Alu::cmp, W::d, idx, static_cast<int32_t>(i));
            Ctl& t = target(labels_[i]);
            if (t.kind != CtlKind::Func && !needs_copies(t)) {
                a_.jcc(Cond::E, t.label);
                t.branched = true;
            } else {
                a_.jcc(Cond::E, stubs[i]);
            }
        }
        branch_to(target(labels_[n]));
        for (size_t i = 0; i < n; ++i) {
            if (stubs[i].chain < 0)
                continue; // jumped straight to its label
            a_.bind(stubs[i]);
            branch_to(target(labels_[i]));
        }
        release(idx);
        set_dead();
        return true;
    }
    case 0x0f:
        prepare_return();
        return_copies();
        a_.jmp(ret_);
        set_dead();
        return true;
    case 0x10: call(in.a); return true;
    case 0x11: call_indirect(in.a, in.b); return true;
    case 0x1a: release(pop()); return true;
    case 0x1b:
    case 0x1c: { // select
        Val c = pop();
        Val b = pop();
        Val a = pop();
        Reg rc = to_reg(c);
        Reg ra = to_reg(a);
        Reg rb = to_reg(b);
        a_.test(W::d, rc, rc);
        a_.cmov(Cond::E, W::q, ra, rb);
        release(rc);
        release(rb);
        push_reg(a.type, ra);
        return true;
    }
    case 0x20: push_local(locals_[in.a], in.a); return true;
    case 0x21:
    case 0x22: { // local.set, local.tee
        Val v = pop();
        materialize_local(in.a);
        store_val(local_mem(in.a), v);
        if (in.op == 0x21)
            release(v);
        else if (v.k == Val::K::Reg || v.k == Val::K::Xmm)
            push(v);
        else
            push_local(v.type, in.a);
        return true;
    }
    case 0x23: { // global.get
        ValType t = m_.globals[in.a].type;
        a_.load(W::q, Reg::rax, mem(kInst, off(offsetof(Instance, globals))));
        a_.load(W::q, Reg::rax, mem(Reg::rax, off(8 * in.a)));
        Reg r = alloc();
        a_.load(width(t), r, mem(Reg::rax, off(offsetof(Global, bits))));
        push_reg(t, r);
        return true;
    }
    case 0x24: { // global.set
        Val v = pop();
        Reg r = to_reg(v);
        a_.load(W::q, Reg::rax, mem(kInst, off(offsetof(Instance, globals))));
        a_.load(W::q, Reg::rax, mem(Reg::rax, off(8 * in.a)));
        a_.store(W::q, mem(Reg::rax, off(offsetof(Global, bits))), r);
        release(r);
        return true;
    }
    case 0x3f: { // memory.size
        Reg r = alloc();
        a_.mov(W::q, r, kMemSize);
        a_.shift_imm(Shift::shr, W::q, r, 16);
        push_reg(ValType::I32, r);
        return true;
    }
    case 0x40: helper_op1(&jit::memory_grow, 0, 1, ValType::I32); reload_memory(); return true;
    case 0x41: push_const(ValType::I32, in.imm); return true;
    case 0x42: push_const(ValType::I64, in.imm); return true;
    case 0x43: push_const(ValType::F32, in.imm); return true;
    case 0x44: push_const(ValType::F64, in.imm); return true;
    case 0xd0: push_const(in.type, 0); return true;
    case 0xd1: { // ref.is_null
        Val a = pop();
        Reg ra = to_reg(a);
        a_.test(W::q, ra, ra);
        a_.setcc(Cond::E, ra);
        a_.movzx_byte(ra, ra);
        push_reg(ValType::I32, ra);
        return true;
    }
    case 0xd2: { // ref.func
        a_.load(W::q, Reg::rax, mem(kInst, off(offsetof(Instance, funcs))));
        Reg r = alloc();
        a_.load(W::q, r, mem(Reg::rax, off(8 * in.a)));
        push_reg(ValType::FuncRef, r);
        return true;
    }
    case 0xfc:
        switch (in.sub) {
        case 8: helper_op(&jit::memory_init, in.a, 3, {}, false); return true;
        case 9: helper_op(&jit::data_drop, in.a, 0, {}, false); return true;
        case 10: helper_op(&jit::memory_copy, 0, 3, {}, false); return true;
        case 11: helper_op(&jit::memory_fill, 0, 3, {}, false); return true;
        default:
            if (in.sub > 7)
                return false;
            helper_op1(jit::sat_helper(in.sub), 0, 1, in.sub < 4 ? ValType::I32 : ValType::I64);
            return true;
        }
    default: break;
    }
    if (in.op >= 0x28 && in.op <= 0x35) {
        load(in.op, in.b);
        return true;
    }
    if (in.op >= 0x36 && in.op <= 0x3e) {
        store(in.op, in.b);
        return true;
    }
    if (in.op >= 0x45 && in.op <= 0xc4) {
        numeric(in.op);
        return true;
    }
    return false;
}

// Copies `count` 64-bit slots from [src] to [dst], counting in `index`; clobbers r10.
void copy_slots(Assembler& a, Reg dst, Reg src, Reg count, Reg index) {
    Label loop, done;
    a.alu(Alu::xor_, W::d, index, index);
    a.bind(loop);
    a.alu(Alu::cmp, W::q, index, count);
    a.jcc(Cond::AE, done);
    a.load(W::q, Reg::r10, mem(src, index, 8));
    a.store(W::q, mem(dst, index, 8), Reg::r10);
    a.alu_imm(Alu::add, W::q, index, 1);
    a.jmp(loop);
    a.bind(done);
}

// The entry from C++ (JitModule::Entry, System V ABI): rdi = Exec*, rsi = Instance*,
// rdx = function code, rcx = argument/result slots, r8 = stack top or 0, r9 = slot count.
// It saves the callee-saved registers, switches stacks, records in Exec::jit_trap_sp where
// traps unwind to, copies the arguments to where the callee expects them and the results back.
void emit_trampoline(ModuleState& ms) {
    Assembler& a = ms.a;
    constexpr Reg kSaved[] = {Reg::rbp, Reg::rbx, Reg::r12, Reg::r13, Reg::r14, Reg::r15};
    for (Reg r : kSaved)
        a.push(r);
    a.mov(W::q, kExec, Reg::rdi);
    a.mov(W::q, kInst, Reg::rsi);
    a.mov(W::q, Reg::rax, Reg::rsp);
    a.test(W::q, Reg::r8, Reg::r8);
    a.cmov(Cond::E, W::q, Reg::r8, Reg::rax);
    a.alu_imm(Alu::and_, W::q, Reg::r8, -16);
    a.mov(W::q, Reg::rsp, Reg::r8);
    a.push(Reg::rax); // the embedder's stack pointer
    a.load(W::q, Reg::r10, mem(kExec, off(offsetof(Exec, jit_trap_sp))));
    a.push(Reg::r10); // the enclosing entry's unwind point
    a.store(W::q, mem(kExec, off(offsetof(Exec, jit_trap_sp))), Reg::rsp);
    a.push(Reg::rcx);
    a.push(Reg::r9);
    a.lea(Reg::rax, mem(Reg::rsp, Reg::r9, 8, 0)); // rax - rsp = 8 * slots
    a.alu(Alu::sub, W::q, Reg::rax, Reg::rsp);
    a.alu_imm(Alu::add, W::q, Reg::rax, 15);
    a.alu_imm(Alu::and_, W::q, Reg::rax, -16);
    a.alu(Alu::sub, W::q, Reg::rsp, Reg::rax);
    copy_slots(a, Reg::rsp, Reg::rcx, Reg::r9, Reg::rax);
    a.alu(Alu::xor_, W::d, kMemSize, kMemSize);
    a.alu(Alu::xor_, W::d, kMemBase, kMemBase);
    if (ms.has_memory) {
        a.load(W::q, Reg::rax, mem(kInst, off(offsetof(Instance, memory0))));
        a.load(W::q, kMemBase, mem(Reg::rax, off(offsetof(Memory, bytes))));
        a.load(W::q, kMemSize, mem(Reg::rax, off(offsetof(Memory, size))));
    }
    a.call_reg(Reg::rdx);
    // Results: back over the arguments. The slot pointer and count sit below the unwind point.
    a.load(W::q, Reg::rax, mem(kExec, off(offsetof(Exec, jit_trap_sp))));
    a.load(W::q, Reg::rcx, mem(Reg::rax, -8));
    a.load(W::q, Reg::r9, mem(Reg::rax, -16));
    copy_slots(a, Reg::rcx, Reg::rsp, Reg::r9, Reg::rdx);
    a.alu(Alu::xor_, W::d, Reg::rax, Reg::rax);
    a.bind(ms.exit);
    a.load(W::q, Reg::rsp, mem(kExec, off(offsetof(Exec, jit_trap_sp))));
    a.pop(Reg::rcx);
    a.store(W::q, mem(kExec, off(offsetof(Exec, jit_trap_sp))), Reg::rcx);
    a.pop(Reg::rsp); // back on the embedder's stack
    for (size_t i = sizeof(kSaved) / sizeof(kSaved[0]); i-- > 0;)
        a.pop(kSaved[i]);
    a.ret();
}

} // namespace

void jit_compile_module(Module& m, CodeMemory& memory) {
    ModuleState ms(m);
    size_t n = m.codes.size();
    if (!ms.funcs.resize(n) || !ms.covered.resize(n) || !ms.offsets.resize(n))
        return;
    ms.has_memory = !m.memories.empty();
    uint32_t count = 0;
    for (size_t i = 0; i < n; ++i) {
        ms.covered[i] = covers(m, m.codes[i]) ? 1 : 0;
        count += ms.covered[i];
    }
    if (count == 0)
        return;
    emit_trampoline(ms);
    for (size_t i = 0; i < n; ++i) {
        if (!ms.covered[i])
            continue;
        // Function entries are 16-byte aligned, as compilers align them.
        while (ms.a.size() % 16)
            ms.a.int3();
        ms.offsets[i] = static_cast<uint32_t>(ms.a.size());
        ms.a.bind(ms.funcs[i]);
        FuncJit fj(ms, static_cast<uint32_t>(i));
        if (!fj.run())
            return; // the decoder and the compiler disagree, or out of memory: interpreter
    }
    if (!ms.a.ok())
        return;

    auto* jm = static_cast<JitModule*>(m.store->alloc_raw(sizeof(JitModule), alignof(JitModule)));
    if (!jm)
        return;
    new (jm) JitModule();
    CodeMemory::Region region = memory.map_writable(ms.a.size());
    if (!region.base)
        return;
    __builtin_memcpy(region.base, ms.a.data(), ms.a.size());
    if (!memory.make_executable(region)) {
        memory.unmap(region);
        return;
    }
    jm->memory = &memory;
    jm->region = region;
    // The trampoline is the first code in the region, emitted to the Entry signature.
    jm->entry = reinterpret_cast<JitModule::Entry>(region.base);
    jm->compiled_functions = count;
    jm->defined_functions = static_cast<uint32_t>(n);
    for (size_t i = 0; i < n; ++i)
        if (ms.covered[i])
            m.codes[i].jit_entry = region.base + ms.offsets[i];
    m.jit = jm;
}

void jit_release(Module& m) {
    if (m.jit && m.jit->memory)
        m.jit->memory->unmap(m.jit->region);
    m.jit = nullptr;
}

} // namespace wasm
