// Validation and compilation of function bodies in one pass.
//
// The validator follows the spec's algorithm (a control stack and an operand stack whose
// entries may be of unknown type after unconditional branches). The compiler rides on it:
// every operand stack entry also records the frame slot that holds its value. An entry at
// depth i normally lives in slot L+i (L = number of locals); after local.get it refers to the
// local's own slot instead, so no copy is made until the value must move. Instructions are
// emitted as a handler pointer followed by 32-bit slot indices and immediates; branch targets
// are resolved to relative offsets, and the values a branch carries are moved by explicit
// copies emitted before the jump.
#include <algorithm>

#include "lib/wasm/module.h"
#include "lib/wasm/ops.h"

namespace wasm {
namespace {

constexpr ValType kUnknown = static_cast<ValType>(0);
constexpr uint32_t kNone = 0xffffffffu;
constexpr uint32_t kMaxLocals = 50000;

const ValType kSingle[] = {ValType::I32, ValType::I64,     ValType::F32,
                           ValType::F64, ValType::FuncRef, ValType::ExternRef};

std::span<const ValType> single(ValType t) {
    for (const ValType& s : kSingle)
        if (s == t)
            return {&s, 1};
    return {};
}

template <typename T> constexpr ValType vt();
template <> constexpr ValType vt<uint32_t>() { return ValType::I32; }
template <> constexpr ValType vt<uint64_t>() { return ValType::I64; }
template <> constexpr ValType vt<float>() { return ValType::F32; }
template <> constexpr ValType vt<double>() { return ValType::F64; }

// Type signature and internal op of every single-byte numeric opcode.
struct NumInfo {
    Op op;
    uint8_t arity; // 0 = not a numeric opcode
    ValType in;
    ValType out;
    Op imm = Op::Count; // the variant with a constant second operand, if any
};

struct NumTable {
    NumInfo plain[256];
    NumInfo sat[8];
};

constexpr NumTable make_num_table() {
    using namespace num;
    NumTable t{};
    for (auto& e : t.plain)
        e = {Op::Count, 0, kUnknown, kUnknown};
#define WASM_NUM_UN(name, code, In, Out, expr) t.plain[code] = {Op::name, 1, vt<In>(), vt<Out>()};
#define WASM_NUM_BIN(name, code, In, Out, expr) t.plain[code] = {Op::name, 2, vt<In>(), vt<Out>()};
#define WASM_NUM_BIN_IMM(name, code, In, Out, expr)                                                \
    t.plain[code] = {Op::name, 2, vt<In>(), vt<Out>(), Op::name##Imm};
#define WASM_NUM_SAT(name, code, In, Out, expr) t.sat[code] = {Op::name, 1, vt<In>(), vt<Out>()};
    WASM_UNARY_OPS(WASM_NUM_UN)
    WASM_TRAPPING_UNARY_OPS(WASM_NUM_UN)
    WASM_BINARY_OPS(WASM_NUM_BIN_IMM)
    WASM_TRAPPING_BINARY_OPS(WASM_NUM_BIN)
    WASM_SAT_OPS(WASM_NUM_SAT)
#undef WASM_NUM_UN
#undef WASM_NUM_BIN
#undef WASM_NUM_BIN_IMM
#undef WASM_NUM_SAT
    return t;
}
constexpr NumTable kNum = make_num_table();

struct MemInfo {
    Op op;
    uint8_t natural_log2; // log2 of the access size
    ValType type;
    bool is_store;
};

constexpr MemInfo mem_info(uint8_t opcode) {
    using namespace num;
    switch (opcode) {
#define WASM_MEM_LOAD(name, code, T, Read, Out)                                                    \
    case code: return {Op::name, static_cast<uint8_t>(std::countr_zero(sizeof(Read))), vt<num::T>(), false};
#define WASM_MEM_STORE(name, code, T, Write)                                                       \
    case code: return {Op::name, static_cast<uint8_t>(std::countr_zero(sizeof(Write))), vt<num::T>(), true};
        WASM_LOAD_OPS(WASM_MEM_LOAD)
        WASM_STORE_OPS(WASM_MEM_STORE)
#undef WASM_MEM_LOAD
#undef WASM_MEM_STORE
    default: return {Op::Count, 0, kUnknown, false};
    }
}

// An operand stack entry. Its value is in `slot`, or, for a constant not yet needed in a slot
// (is_const), it is `value`: constants are only written to a slot when an instruction cannot
// take them as an immediate.
struct Operand {
    ValType type;
    uint32_t slot;
    bool is_const = false;
    uint64_t value = 0;
};

enum class CtrlKind : uint8_t { Func, Block, Loop, If, Else };

struct Ctrl {
    CtrlKind kind;
    std::span<const ValType> params;
    std::span<const ValType> results;
    uint32_t height;      // operand stack size below the block's parameters
    bool unreachable;
    uint32_t loop_pos;    // loops: where a branch jumps
    uint32_t patches;     // forward branches to the end: linked list through the code, +1
    uint32_t else_patch;  // ifs: the BrUnless that jumps to else/end, +1
    std::span<const ValType> label() const { return kind == CtrlKind::Loop ? params : results; }
};

class FuncCompiler {
public:
    FuncCompiler(Module& m, uint32_t index, Reader& r, LoadError& err)
        : m_(m), code_(m.code), r_(r), err_(err), locals_(&m.store->allocator()),
          stack_(&m.store->allocator()), ctrls_(&m.store->allocator()),
          fuel_(m.store->config().fuel) {
        type_ = m.types[m.func_types[m.num_imported_funcs + index]];
        index_ = index;
    }

    bool run();

private:
    // ---- errors ----
    bool malformed(const char* msg) {
        err_ = {LoadErrorKind::Malformed, msg, instr_off_};
        return false;
    }
    bool invalid(const char* msg) {
        err_ = {LoadErrorKind::Invalid, msg, instr_off_};
        return false;
    }
    bool read_failed() {
        const char* msg = "unexpected end";
        if (r_.status() == Reader::Status::TooLong)
            msg = "integer representation too long";
        else if (r_.status() == Reader::Status::TooLarge)
            msg = "integer too large";
        err_ = {LoadErrorKind::Malformed, msg, r_.error_offset()};
        return false;
    }
    bool oom() {
        err_ = {LoadErrorKind::OutOfMemory, "out of memory", instr_off_};
        return false;
    }

    // ---- emission ----
    bool live() const { return !ctrls_.back().unreachable; }
    uint32_t pos() const { return static_cast<uint32_t>(code_.size()); }
    void w(uint32_t v) {
        if (!code_.push_back(v))
            oom_ = true;
    }
    void op(Op o) {
        last_dst_ = kNone;
        Handler h = kHandlers[static_cast<size_t>(o)];
        uint64_t bits = reinterpret_cast<uintptr_t>(h); // handlers are read back in the same way
        w(static_cast<uint32_t>(bits));
        w(static_cast<uint32_t>(bits >> 32));
    }
    // Writes the destination slot and remembers it for the local.set peephole.
    void dst(uint32_t slot) {
        uint32_t p = pos();
        w(slot);
        pending_dst_ = p;
    }
    void done_dst() { last_dst_ = pending_dst_; }
    void copy(uint32_t to, uint32_t from) {
        if (to == from)
            return;
        op(Op::Copy);
        dst(to);
        w(from);
        done_dst();
    }
    void set_word(uint32_t p, uint32_t v) {
        if (p < code_.size())
            code_[p] = v;
    }
    uint32_t word(uint32_t p) const { return p < code_.size() ? code_[p] : 0; }
    void jump_to(uint32_t word_pos, uint32_t target) { set_word(word_pos, target - word_pos); }
    void bind(uint32_t& patches, uint32_t target) {
        while (patches) {
            uint32_t p = patches - 1;
            patches = word(p);
            jump_to(p, target);
        }
        last_dst_ = kNone;
    }
    void add_patch(uint32_t& patches, uint32_t word_pos) {
        set_word(word_pos, patches);
        patches = word_pos + 1;
    }
    void fuel_point() {
        if (!fuel_ || !live())
            return;
        close_fuel();
        op(Op::Fuel);
        fuel_pos_ = pos();
        w(0);
        fuel_count_ = 0;
    }
    void close_fuel() {
        if (fuel_pos_ != kNone)
            set_word(fuel_pos_, fuel_count_ + 1);
        fuel_pos_ = kNone;
    }

    // ---- operand stack ----
    uint32_t temp_slot(size_t depth) const { return L_ + static_cast<uint32_t>(depth); }
    bool push(ValType t) {
        if (!stack_.push_back({t, temp_slot(stack_.size())}))
            return oom();
        max_height_ = std::max<uint32_t>(max_height_, static_cast<uint32_t>(stack_.size()));
        return true;
    }
    bool push_local(ValType t, uint32_t local) {
        if (!stack_.push_back({t, local}))
            return oom();
        max_height_ = std::max<uint32_t>(max_height_, static_cast<uint32_t>(stack_.size()));
        return true;
    }
    bool pop(Operand& out) {
        if (!pop_raw(out))
            return false;
        if (out.is_const) {
            uint32_t s = temp_slot(stack_.size());
            if (live())
                emit_const(s, out.type, out.value);
            out.is_const = false;
            out.slot = s;
        }
        return true;
    }
    bool pop_expect_raw(ValType expect, Operand& out) {
        if (!pop_raw(out))
            return false;
        if (out.type != expect && out.type != kUnknown && expect != kUnknown)
            return invalid("type mismatch");
        return true;
    }
    bool push_const(ValType t, uint64_t v) {
        if (!live())
            return push(t);
        if (!stack_.push_back({t, temp_slot(stack_.size()), true, v}))
            return oom();
        max_height_ = std::max<uint32_t>(max_height_, static_cast<uint32_t>(stack_.size()));
        return true;
    }
    void emit_const(uint32_t to, ValType t, uint64_t v) {
        if (t == ValType::I32 || t == ValType::F32) {
            op(Op::Const32);
            dst(to);
            w(static_cast<uint32_t>(v));
        } else {
            op(Op::Const64);
            dst(to);
            w(static_cast<uint32_t>(v));
            w(static_cast<uint32_t>(v >> 32));
        }
        done_dst();
    }
    bool pop_raw(Operand& out) {
        Ctrl& c = ctrls_.back();
        if (stack_.size() == c.height) {
            if (c.unreachable) {
                out = {kUnknown, temp_slot(stack_.size())};
                return true;
            }
            return invalid("type mismatch");
        }
        out = stack_.back();
        stack_.pop_back();
        return true;
    }
    bool pop_expect(ValType expect, Operand& out) {
        if (!pop(out))
            return false;
        if (out.type != expect && out.type != kUnknown && expect != kUnknown)
            return invalid("type mismatch");
        return true;
    }
    bool pop_expect(ValType expect) {
        Operand ignored;
        return pop_expect(expect, ignored);
    }
    // Checks that the top of the stack holds `types` and leaves the entries (and the slots
    // holding their values) in place. In unreachable code the stack is polymorphic: missing
    // entries are taken as given and come back as the expected types.
    // br_table re-pushes what it popped (`keep_popped`), so one unknown operand can match
    // labels of different types.
    bool check_keep(std::span<const ValType> types, bool keep_popped = false) {
        Ctrl& c = ctrls_.back();
        size_t n = types.size();
        if (!c.unreachable) {
            if (stack_.size() - c.height < n)
                return invalid("type mismatch");
            for (size_t i = 0; i < n; ++i)
                if (stack_[stack_.size() - n + i].type != types[i])
                    return invalid("type mismatch");
            return true;
        }
        ValType popped[16];
        for (size_t i = n; i-- > 0;) {
            Operand o;
            if (!pop_expect(types[i], o))
                return false;
            if (i < 16)
                popped[i] = o.type;
        }
        for (size_t i = 0; i < n; ++i)
            if (!push(keep_popped && n <= 16 ? popped[i] : types[i]))
                return false;
        return true;
    }
    bool pop_vals(std::span<const ValType> types) {
        for (size_t i = types.size(); i-- > 0;)
            if (!pop_expect(types[i]))
                return false;
        return true;
    }
    // Moves stack entry i into its own slot if it still refers to a local.
    void materialize(size_t i) {
        Operand& o = stack_[i];
        if (o.is_const) {
            if (live())
                emit_const(temp_slot(i), o.type, o.value);
            o.is_const = false;
            o.slot = temp_slot(i);
            return;
        }
        if (o.slot != temp_slot(i)) {
            if (live())
                copy(temp_slot(i), o.slot);
            o.slot = temp_slot(i);
        }
    }
    void materialize_from(size_t first) {
        for (size_t i = first; i < stack_.size(); ++i)
            materialize(i);
    }
    // Before local `x` is written, every stack entry still reading it gets its own copy.
    void materialize_local(uint32_t x) {
        for (size_t i = 0; i < stack_.size(); ++i)
            if (stack_[i].slot == x)
                materialize(i);
    }

    // ---- control ----
    bool block_type(std::span<const ValType>& params, std::span<const ValType>& results) {
        int64_t bt;
        if (!r_.s33(bt))
            return read_failed();
        if (bt == -64) {
            params = results = {};
            return true;
        }
        if (bt < 0) {
            ValType t;
            if (!decode_valtype(static_cast<uint8_t>(bt & 0x7f), t))
                return malformed("malformed value type");
            params = {};
            results = single(t);
            return true;
        }
        if (static_cast<uint64_t>(bt) >= m_.types.size())
            return invalid("unknown type");
        params = m_.types[static_cast<size_t>(bt)]->params;
        results = m_.types[static_cast<size_t>(bt)]->results;
        return true;
    }
    // The block's parameters are already on the stack (checked by check_keep).
    bool push_ctrl(CtrlKind kind, std::span<const ValType> params,
                   std::span<const ValType> results) {
        uint32_t h = static_cast<uint32_t>(stack_.size() - params.size());
        Ctrl c{kind, params, results, h, false, 0, 0, 0};
        if (!ctrls_.push_back(c))
            return oom();
        return true;
    }
    // The slots a branch to ctrl `c` must fill, and the copies that fill them.
    bool branch_needs_copies(const Ctrl& c) const {
        auto types = c.label();
        size_t n = types.size();
        for (size_t i = 0; i < n; ++i) {
            const Operand& o = stack_[stack_.size() - n + i];
            if (o.is_const || o.slot != temp_slot(c.height + i))
                return true;
        }
        return false;
    }
    void branch_copies(const Ctrl& c) {
        auto types = c.label();
        size_t n = types.size();
        for (size_t i = 0; i < n; ++i) {
            const Operand& o = stack_[stack_.size() - n + i];
            if (o.is_const)
                emit_const(temp_slot(c.height + i), o.type, o.value);
            else
                copy(temp_slot(c.height + i), o.slot);
        }
    }
    // Emits the return sequence: results into slots 0..r-1, then Return. It leaves the operand
    // stack as it is: after a br_if or inside a br_table stub the fall-through path still
    // relies on the entries.
    void emit_return() {
        size_t r = type_->results.size();
        if (r == 0) {
            op(Op::Return);
            return;
        }
        size_t base = stack_.size() - r;
        if (r == 1) {
            const Operand& o = stack_.back();
            if (o.is_const) {
                emit_const(0, o.type, o.value);
                op(Op::Return);
            } else {
                op(Op::Return1);
                w(o.slot);
            }
            return;
        }
        // Locals may be destinations, so values still in locals first move to their own
        // temporaries. Then moving forwards cannot overwrite a later source (slot i < L+base+i).
        for (size_t i = 0; i < r; ++i) {
            const Operand& o = stack_[base + i];
            if (!o.is_const)
                copy(temp_slot(base + i), o.slot);
        }
        for (size_t i = 0; i < r; ++i) {
            const Operand& o = stack_[base + i];
            if (o.is_const)
                emit_const(static_cast<uint32_t>(i), o.type, o.value);
            else
                copy(static_cast<uint32_t>(i), temp_slot(base + i));
        }
        op(Op::Return);
    }
    // An unconditional jump to ctrl `c` (values already checked on the stack).
    void emit_jump(Ctrl& c) {
        if (&c == &ctrls_[0]) {
            emit_return();
            return;
        }
        branch_copies(c);
        op(Op::Br);
        uint32_t p = pos();
        w(0);
        if (c.kind == CtrlKind::Loop)
            jump_to(p, c.loop_pos);
        else
            add_patch(c.patches, p);
    }
    void set_unreachable() {
        Ctrl& c = ctrls_.back();
        stack_.truncate(c.height); // shrinking cannot fail
        c.unreachable = true;
    }
    bool label(uint32_t depth, Ctrl*& out) {
        if (depth >= ctrls_.size())
            return invalid("unknown label");
        out = &ctrls_[ctrls_.size() - 1 - depth];
        return true;
    }

    // If the instruction just emitted computed `cond` with an i32 comparison, turns it into a
    // compare-and-branch in place and returns the position of its offset word.
    uint32_t fuse_branch(uint32_t cond, bool unless) {
        if (last_dst_ == kNone || cond != temp_slot(stack_.size()) || word(last_dst_) != cond)
            return kNone;
        uint32_t start = last_dst_ - 2;
        uint64_t h = static_cast<uint64_t>(word(start)) | static_cast<uint64_t>(word(start + 1)) << 32;
        auto is = [&](Op o) {
            return h == reinterpret_cast<uintptr_t>(kHandlers[static_cast<size_t>(o)]);
        };
        auto set_handler = [&](Op o) {
            uint64_t bits = reinterpret_cast<uintptr_t>(kHandlers[static_cast<size_t>(o)]);
            set_word(start, static_cast<uint32_t>(bits));
            set_word(start + 1, static_cast<uint32_t>(bits >> 32));
        };
        // [h][dst][a] -> [h'][a][off]; [h][dst][a][b] -> [h'][a][b][off];
        // [h][dst][a][lo][hi] -> [h'][a][lo][off] (an i32 immediate needs only the low word).
        uint32_t off;
        if (is(Op::I32Eqz)) {
            set_handler(unless ? Op::I32EqzBrUnless : Op::I32EqzBrIf);
            set_word(start + 2, word(start + 3));
            off = start + 3;
        }
#define WASM_TRY_FUSE(name, cond_expr)                                                             \
        else if (is(Op::name)) {                                                                   \
            set_handler(unless ? Op::name##BrUnless : Op::name##BrIf);                             \
            set_word(start + 2, word(start + 3));                                                  \
            set_word(start + 3, word(start + 4));                                                  \
            off = start + 4;                                                                       \
        }                                                                                          \
        else if (is(Op::name##Imm)) {                                                              \
            set_handler(unless ? Op::name##ImmBrUnless : Op::name##ImmBrIf);                       \
            set_word(start + 2, word(start + 3));                                                  \
            set_word(start + 3, word(start + 4));                                                  \
            off = start + 5;                                                                       \
        }
        WASM_FUSED_COMPARES(WASM_TRY_FUSE)
#undef WASM_TRY_FUSE
        else {
            return kNone;
        }
        last_dst_ = kNone;
        return off;
    }

    bool instr();
    bool end_block();
    bool numeric(uint8_t opcode);
    bool prefixed();
    bool memarg(uint8_t natural_log2, uint32_t& offset);
    bool need_memory() {
        return m_.memories.size() == 0 ? invalid("unknown memory") : true;
    }
    bool table_elem(uint32_t idx, ValType& t) {
        if (idx >= m_.tables.size())
            return invalid("unknown table");
        t = m_.tables[idx].elem;
        return true;
    }
    bool need_data_count(uint32_t idx) {
        if (!m_.has_data_count)
            return malformed("data count section required");
        return idx < m_.data_count ? true : invalid("unknown data segment");
    }
    bool zero_byte() {
        uint8_t b;
        if (!r_.u8(b))
            return read_failed();
        return b == 0 ? true : malformed("zero byte expected");
    }
    bool call(const FuncType& ft, Op o, uint32_t a, uint32_t b, uint32_t c, bool three);

    Module& m_;
    lib::Vector<uint32_t>& code_;
    Reader& r_;
    LoadError& err_;
    const FuncType* type_ = nullptr;
    uint32_t index_ = 0;
    lib::Vector<ValType> locals_;
    lib::Vector<Operand> stack_;
    lib::Vector<Ctrl> ctrls_;
    uint32_t L_ = 0;
    uint32_t max_height_ = 0;
    uint32_t last_dst_ = kNone;
    uint32_t pending_dst_ = kNone;
    size_t instr_off_ = 0;
    bool oom_ = false;
    bool fuel_;
    uint32_t fuel_pos_ = kNone;
    uint32_t fuel_count_ = 0;
};

bool FuncCompiler::run() {
    // Locals: the parameters, then the declared groups.
    uint64_t total = type_->params.size();
    for (ValType t : type_->params)
        if (!locals_.push_back(t))
            return oom();
    uint32_t groups;
    instr_off_ = r_.offset();
    if (!r_.u32(groups))
        return read_failed();
    for (uint32_t g = 0; g < groups; ++g) {
        uint32_t n;
        uint8_t b;
        instr_off_ = r_.offset();
        if (!r_.u32(n))
            return read_failed();
        total += n;
        if (total > kMaxLocals)
            return malformed("too many locals");
        if (!r_.u8(b))
            return read_failed();
        ValType t;
        if (!decode_valtype(b, t))
            return malformed("malformed value type");
        for (uint32_t i = 0; i < n; ++i)
            if (!locals_.push_back(t))
                return oom();
    }
    L_ = static_cast<uint32_t>(locals_.size());

    uint32_t start = pos();
    CompiledCode cc;
    cc.code_offset = start;
    cc.num_params = static_cast<uint32_t>(type_->params.size());
    cc.num_locals = L_;
    cc.num_results = static_cast<uint32_t>(type_->results.size());

    if (!ctrls_.push_back({CtrlKind::Func, {}, type_->results, 0, false, 0, 0, 0}))
        return oom();
    fuel_point();
    while (!ctrls_.empty()) {
        if (r_.at_end()) {
            instr_off_ = r_.offset();
            return malformed("unexpected end");
        }
        if (!instr())
            return false;
        if (oom_)
            return oom();
    }
    close_fuel();
    if (!r_.at_end()) {
        instr_off_ = r_.offset();
        return malformed("section size mismatch");
    }
    cc.frame_slots = L_ + max_height_ + 1;
    if (!m_.codes.push_back(cc))
        return oom();
    return true;
}

bool FuncCompiler::end_block() {
    Ctrl& c = ctrls_.back();
    // The results must be exactly what is left above the block's base.
    if (!check_keep(c.results))
        return false;
    if (stack_.size() != c.height + c.results.size())
        return invalid("type mismatch");
    if (c.kind == CtrlKind::If) {
        // No else: the implicit else passes the parameters through as results.
        if (c.params.size() != c.results.size() ||
            !std::equal(c.params.begin(), c.params.end(), c.results.begin()))
            return invalid("type mismatch");
    }
    if (ctrls_.size() == 1) {
        if (live())
            emit_return();
        ctrls_.pop_back();
        return true;
    }
    if (live())
        materialize_from(c.height);
    uint32_t here = pos();
    if (c.kind == CtrlKind::If)
        bind(c.else_patch, here);
    bind(c.patches, here);
    uint32_t h = c.height;
    auto results = c.results;
    ctrls_.pop_back();
    stack_.truncate(h); // shrinking cannot fail
    for (ValType t : results)
        if (!push(t))
            return false;
    return true;
}

bool FuncCompiler::memarg(uint8_t natural_log2, uint32_t& offset) {
    uint32_t align;
    if (!r_.u32(align) || !r_.u32(offset))
        return read_failed();
    if (!need_memory())
        return false;
    if (align > natural_log2)
        return invalid("alignment must not be larger than natural");
    return true;
}

bool FuncCompiler::call(const FuncType& ft, Op o, uint32_t a, uint32_t b, uint32_t c,
                        bool three) {
    if (!check_keep(ft.params))
        return false;
    size_t base = stack_.size() - ft.params.size();
    // The arguments become the callee's first locals: they must sit in consecutive slots.
    if (live()) {
        materialize_from(base);
        op(o);
        w(a);
        if (three) {
            w(b);
            w(c);
        }
        w(temp_slot(base));
    }
    stack_.truncate(base);
    for (ValType t : ft.results)
        if (!push(t))
            return false;
    return true;
}

bool FuncCompiler::numeric(uint8_t opcode) {
    const NumInfo& ni = kNum.plain[opcode];
    if (ni.arity == 0)
        return malformed("illegal opcode");
    Operand a, b;
    if (ni.arity == 2) {
        if (!pop_expect_raw(ni.in, b))
            return false;
        if (b.is_const && ni.imm != Op::Count) {
            if (!pop_expect(ni.in, a))
                return false;
            if (live()) {
                op(ni.imm);
                dst(temp_slot(stack_.size()));
                w(a.slot);
                w(static_cast<uint32_t>(b.value));
                w(static_cast<uint32_t>(b.value >> 32));
                done_dst();
            }
            return push(ni.out);
        }
        if (b.is_const) {
            b.slot = temp_slot(stack_.size());
            if (live())
                emit_const(b.slot, b.type, b.value);
        }
    }
    if (!pop_expect(ni.in, a))
        return false;
    uint32_t d = temp_slot(stack_.size());
    if (live()) {
        op(ni.op);
        dst(d);
        w(a.slot);
        if (ni.arity == 2)
            w(b.slot);
        done_dst();
    }
    return push(ni.out);
}

bool FuncCompiler::prefixed() {
    uint32_t sub;
    if (!r_.u32(sub))
        return read_failed();
    if (sub < 8) {
        const NumInfo& ni = kNum.sat[sub];
        Operand a;
        if (!pop_expect(ni.in, a))
            return false;
        if (live()) {
            op(ni.op);
            dst(temp_slot(stack_.size()));
            w(a.slot);
            done_dst();
        }
        return push(ni.out);
    }
    Operand x, y, z;
    switch (sub) {
    case 8: { // memory.init
        uint32_t seg;
        if (!r_.u32(seg))
            return read_failed();
        if (!zero_byte())
            return false;
        if (!need_memory() || !need_data_count(seg))
            return false;
        if (!pop_expect(ValType::I32, z) || !pop_expect(ValType::I32, y) ||
            !pop_expect(ValType::I32, x))
            return false;
        if (live()) {
            op(Op::MemoryInit);
            w(seg);
            w(x.slot);
            w(y.slot);
            w(z.slot);
        }
        return true;
    }
    case 9: { // data.drop
        uint32_t seg;
        if (!r_.u32(seg))
            return read_failed();
        if (!need_data_count(seg))
            return false;
        if (live()) {
            op(Op::DataDrop);
            w(seg);
        }
        return true;
    }
    case 10: // memory.copy
    case 11: // memory.fill
        if (!zero_byte() || (sub == 10 && !zero_byte()))
            return false;
        if (!need_memory())
            return false;
        if (!pop_expect(ValType::I32, z) || !pop_expect(ValType::I32, y) ||
            !pop_expect(ValType::I32, x))
            return false;
        if (live()) {
            op(sub == 10 ? Op::MemoryCopy : Op::MemoryFill);
            w(x.slot);
            w(y.slot);
            w(z.slot);
        }
        return true;
    case 12: { // table.init elem table
        uint32_t seg, table;
        if (!r_.u32(seg) || !r_.u32(table))
            return read_failed();
        if (table >= m_.tables.size())
            return invalid("unknown table");
        if (seg >= m_.elems.size())
            return invalid("unknown elem segment");
        if (m_.elems[seg].type != m_.tables[table].elem)
            return invalid("type mismatch");
        if (!pop_expect(ValType::I32, z) || !pop_expect(ValType::I32, y) ||
            !pop_expect(ValType::I32, x))
            return false;
        if (live()) {
            op(Op::TableInit);
            w(table);
            w(seg);
            w(x.slot);
            w(y.slot);
            w(z.slot);
        }
        return true;
    }
    case 13: { // elem.drop
        uint32_t seg;
        if (!r_.u32(seg))
            return read_failed();
        if (seg >= m_.elems.size())
            return invalid("unknown elem segment");
        if (live()) {
            op(Op::ElemDrop);
            w(seg);
        }
        return true;
    }
    case 14: { // table.copy dst src
        uint32_t td, ts;
        if (!r_.u32(td) || !r_.u32(ts))
            return read_failed();
        if (td >= m_.tables.size() || ts >= m_.tables.size())
            return invalid("unknown table");
        if (m_.tables[td].elem != m_.tables[ts].elem)
            return invalid("type mismatch");
        if (!pop_expect(ValType::I32, z) || !pop_expect(ValType::I32, y) ||
            !pop_expect(ValType::I32, x))
            return false;
        if (live()) {
            op(Op::TableCopy);
            w(td);
            w(ts);
            w(x.slot);
            w(y.slot);
            w(z.slot);
        }
        return true;
    }
    case 15: // table.grow
    case 16: // table.size
    case 17: { // table.fill
        uint32_t t;
        if (!r_.u32(t))
            return read_failed();
        if (t >= m_.tables.size())
            return invalid("unknown table");
        ValType et = m_.tables[t].elem;
        if (sub == 16) {
            if (live()) {
                op(Op::TableSize);
                dst(temp_slot(stack_.size()));
                w(t);
                done_dst();
            }
            return push(ValType::I32);
        }
        if (sub == 15) {
            if (!pop_expect(ValType::I32, y) || !pop_expect(et, x))
                return false;
            if (live()) {
                op(Op::TableGrow);
                dst(temp_slot(stack_.size()));
                w(t);
                w(x.slot);
                w(y.slot);
                done_dst();
            }
            return push(ValType::I32);
        }
        if (!pop_expect(ValType::I32, z) || !pop_expect(et, y) || !pop_expect(ValType::I32, x))
            return false;
        if (live()) {
            op(Op::TableFill);
            w(t);
            w(x.slot);
            w(y.slot);
            w(z.slot);
        }
        return true;
    }
    default: return malformed("illegal opcode");
    }
}

bool FuncCompiler::instr() {
    instr_off_ = r_.offset();
    ++fuel_count_;
    uint8_t opcode;
    if (!r_.u8(opcode))
        return read_failed();
    Operand a, b, c;
    Ctrl* target;
    switch (opcode) {
    case 0x00: // unreachable
        if (live())
            op(Op::Unreachable);
        set_unreachable();
        return true;
    case 0x01: return true; // nop
    case 0x02:              // block
    case 0x03:              // loop
    case 0x04: {            // if
        std::span<const ValType> params, results;
        if (!block_type(params, results))
            return false;
        if (opcode == 0x04 && !pop_expect(ValType::I32, c))
            return false;
        if (!check_keep(params))
            return false;
        // Entries must not refer to locals across a control boundary: a local written on one
        // path would leave the entry stale on another.
        materialize_from(0);
        CtrlKind kind = opcode == 0x02 ? CtrlKind::Block
                        : opcode == 0x03 ? CtrlKind::Loop
                                         : CtrlKind::If;
        if (!push_ctrl(kind, params, results))
            return false;
        // Code in a block nested in unreachable code is emitted although it never runs:
        // that keeps the compiler simple and costs nothing at run time.
        Ctrl& nc = ctrls_.back();
        if (kind == CtrlKind::Loop) {
            last_dst_ = kNone;
            nc.loop_pos = pos();
            fuel_point();
        } else if (kind == CtrlKind::If) {
            uint32_t p = fuse_branch(c.slot, true);
            if (p == kNone) {
                op(Op::BrUnless);
                w(c.slot);
                p = pos();
                w(0);
            }
            add_patch(nc.else_patch, p);
        }
        return true;
    }
    case 0x05: { // else
        Ctrl& ctl = ctrls_.back();
        if (ctl.kind != CtrlKind::If)
            return malformed("else without if");
        if (!check_keep(ctl.results))
            return false;
        if (stack_.size() != ctl.height + ctl.results.size())
            return invalid("type mismatch");
        if (live()) {
            materialize_from(ctl.height);
            op(Op::Br);
            uint32_t p = pos();
            w(0);
            add_patch(ctl.patches, p);
        }
        bind(ctl.else_patch, pos());
        ctl.kind = CtrlKind::Else;
        ctl.unreachable = false;
        stack_.truncate(ctl.height);
        // The parameters are still in their slots on the path that skipped the then-branch.
        for (ValType t : ctl.params)
            if (!push(t))
                return false;
        return true;
    }
    case 0x0b: return end_block();
    case 0x0c: { // br
        uint32_t depth;
        if (!r_.u32(depth))
            return read_failed();
        if (!label(depth, target) || !check_keep(target->label()))
            return false;
        if (live())
            emit_jump(*target);
        set_unreachable();
        return true;
    }
    case 0x0d: { // br_if
        uint32_t depth;
        if (!r_.u32(depth))
            return read_failed();
        if (!pop_expect(ValType::I32, c))
            return false;
        if (!label(depth, target) || !check_keep(target->label()))
            return false;
        if (!live())
            return true;
        if (target != &ctrls_[0] && !branch_needs_copies(*target)) {
            uint32_t p = fuse_branch(c.slot, false);
            if (p == kNone) {
                op(Op::BrIf);
                w(c.slot);
                p = pos();
                w(0);
            }
            if (target->kind == CtrlKind::Loop)
                jump_to(p, target->loop_pos);
            else
                add_patch(target->patches, p);
            return true;
        }
        op(Op::BrUnless);
        w(c.slot);
        uint32_t skip = pos();
        w(0);
        emit_jump(*target);
        jump_to(skip, pos());
        last_dst_ = kNone;
        return true;
    }
    case 0x0e: { // br_table
        uint32_t n;
        if (!r_.u32(n))
            return read_failed();
        if (n > r_.remaining())
            return read_failed();
        lib::Vector<uint32_t> depths(&m_.store->allocator());
        if (!depths.reserve(n + 1))
            return oom();
        for (uint32_t i = 0; i <= n; ++i) {
            uint32_t d;
            if (!r_.u32(d))
                return read_failed();
            (void)depths.push_back(d);
        }
        if (!pop_expect(ValType::I32, c))
            return false;
        Ctrl* def;
        if (!label(depths[n], def))
            return false;
        size_t arity = def->label().size();
        for (uint32_t i = 0; i <= n; ++i) {
            if (!label(depths[i], target))
                return false;
            if (target->label().size() != arity)
                return invalid("type mismatch");
            if (!check_keep(target->label(), true))
                return false;
        }
        if (live()) {
            op(Op::BrTable);
            w(c.slot);
            w(n);
            uint32_t table = pos();
            for (uint32_t i = 0; i <= n; ++i)
                w(0);
            for (uint32_t i = 0; i <= n; ++i) {
                uint32_t p = table + i;
                target = &ctrls_[ctrls_.size() - 1 - depths[i]];
                if (target == &ctrls_[0] || branch_needs_copies(*target)) {
                    jump_to(p, pos()); // a stub with the moves, then the jump
                    emit_jump(*target);
                } else if (target->kind == CtrlKind::Loop) {
                    jump_to(p, target->loop_pos);
                } else {
                    add_patch(target->patches, p);
                }
            }
        }
        set_unreachable();
        return true;
    }
    case 0x0f: // return
        if (!check_keep(type_->results))
            return false;
        if (live())
            emit_return();
        set_unreachable();
        return true;
    case 0x10: { // call
        uint32_t f;
        if (!r_.u32(f))
            return read_failed();
        if (f >= m_.func_types.size())
            return invalid("unknown function");
        return call(*m_.types[m_.func_types[f]], Op::Call, f, 0, 0, false);
    }
    case 0x11: { // call_indirect
        uint32_t ti, table;
        if (!r_.u32(ti) || !r_.u32(table))
            return read_failed();
        if (table >= m_.tables.size())
            return invalid("unknown table");
        if (ti >= m_.types.size())
            return invalid("unknown type");
        if (m_.tables[table].elem != ValType::FuncRef)
            return invalid("type mismatch");
        if (!pop_expect(ValType::I32, c))
            return false;
        return call(*m_.types[ti], Op::CallIndirect, table, ti, c.slot, true);
    }
    case 0x1a: // drop
        return pop(a);
    case 0x1b:   // select
    case 0x1c: { // select t
        ValType want = kUnknown;
        if (opcode == 0x1c) {
            uint32_t n;
            uint8_t tb;
            if (!r_.u32(n))
                return read_failed();
            if (n != 1)
                return invalid("invalid result arity");
            if (!r_.u8(tb))
                return read_failed();
            if (!decode_valtype(tb, want))
                return malformed("malformed value type");
        }
        if (!pop_expect(ValType::I32, c) || !pop_expect(want, b) || !pop_expect(want, a))
            return false;
        ValType t = want;
        if (opcode == 0x1b) {
            if (is_ref(a.type) || is_ref(b.type))
                return invalid("type mismatch");
            if (a.type != kUnknown && b.type != kUnknown && a.type != b.type)
                return invalid("type mismatch");
            t = a.type == kUnknown ? b.type : a.type;
        }
        if (live()) {
            op(Op::Select);
            dst(temp_slot(stack_.size()));
            w(c.slot);
            w(a.slot);
            w(b.slot);
            done_dst();
        }
        return push(t);
    }
    case 0x20:   // local.get
    case 0x21:   // local.set
    case 0x22: { // local.tee
        uint32_t x;
        if (!r_.u32(x))
            return read_failed();
        if (x >= L_)
            return invalid("unknown local");
        ValType t = locals_[x];
        if (opcode == 0x20)
            return push_local(t, x);
        if (!pop_expect_raw(t, a))
            return false;
        if (live() && a.is_const) {
            materialize_local(x);
            emit_const(x, t, a.value);
            last_dst_ = kNone;
        } else if (live()) {
            materialize_local(x);
            uint32_t top = temp_slot(stack_.size());
            if (last_dst_ != kNone && a.slot == top && word(last_dst_) == top)
                set_word(last_dst_, x); // the producer writes the local directly
            else
                copy(x, a.slot);
            last_dst_ = kNone;
        }
        return opcode == 0x22 ? push_local(t, x) : true;
    }
    case 0x23:   // global.get
    case 0x24: { // global.set
        uint32_t g;
        if (!r_.u32(g))
            return read_failed();
        if (g >= m_.globals.size())
            return invalid("unknown global");
        const GlobalDesc& gd = m_.globals[g];
        if (opcode == 0x23) {
            if (live()) {
                op(Op::GlobalGet);
                dst(temp_slot(stack_.size()));
                w(g);
                done_dst();
            }
            return push(gd.type);
        }
        if (!gd.is_mutable)
            return invalid("global is immutable");
        if (!pop_expect(gd.type, a))
            return false;
        if (live()) {
            op(Op::GlobalSet);
            w(a.slot);
            w(g);
        }
        return true;
    }
    case 0x25:   // table.get
    case 0x26: { // table.set
        uint32_t t;
        if (!r_.u32(t))
            return read_failed();
        ValType et;
        if (!table_elem(t, et))
            return false;
        if (opcode == 0x25) {
            if (!pop_expect(ValType::I32, a))
                return false;
            if (live()) {
                op(Op::TableGet);
                dst(temp_slot(stack_.size()));
                w(t);
                w(a.slot);
                done_dst();
            }
            return push(et);
        }
        if (!pop_expect(et, b) || !pop_expect(ValType::I32, a))
            return false;
        if (live()) {
            op(Op::TableSet);
            w(t);
            w(a.slot);
            w(b.slot);
        }
        return true;
    }
    case 0x3f:   // memory.size
    case 0x40: { // memory.grow
        if (!zero_byte() || !need_memory())
            return false;
        if (opcode == 0x40 && !pop_expect(ValType::I32, a))
            return false;
        if (live()) {
            op(opcode == 0x3f ? Op::MemorySize : Op::MemoryGrow);
            dst(temp_slot(stack_.size()));
            if (opcode == 0x40)
                w(a.slot);
            done_dst();
        }
        return push(ValType::I32);
    }
    case 0x41: { // i32.const
        int32_t v;
        if (!r_.s32(v))
            return read_failed();
        return push_const(ValType::I32, static_cast<uint32_t>(v));
    }
    case 0x42: { // i64.const
        int64_t v;
        if (!r_.s64(v))
            return read_failed();
        return push_const(ValType::I64, static_cast<uint64_t>(v));
    }
    case 0x43: { // f32.const
        uint32_t v;
        if (!r_.fixed32(v))
            return read_failed();
        return push_const(ValType::F32, v);
    }
    case 0x44: { // f64.const
        uint64_t v;
        if (!r_.fixed64(v))
            return read_failed();
        return push_const(ValType::F64, v);
    }
    case 0xd0: { // ref.null t
        uint8_t tb;
        ValType t;
        if (!r_.u8(tb))
            return read_failed();
        if (!decode_valtype(tb, t) || !is_ref(t))
            return malformed("malformed reference type");
        if (live()) {
            op(Op::RefNull);
            dst(temp_slot(stack_.size()));
            done_dst();
        }
        return push(t);
    }
    case 0xd1: // ref.is_null
        if (!pop(a))
            return false;
        if (a.type != kUnknown && !is_ref(a.type))
            return invalid("type mismatch");
        if (live()) {
            op(Op::RefIsNull);
            dst(temp_slot(stack_.size()));
            w(a.slot);
            done_dst();
        }
        return push(ValType::I32);
    case 0xd2: { // ref.func
        uint32_t f;
        if (!r_.u32(f))
            return read_failed();
        if (f >= m_.func_types.size())
            return invalid("unknown function");
        if (!m_.declared_funcs[f])
            return invalid("undeclared function reference");
        if (live()) {
            op(Op::RefFunc);
            dst(temp_slot(stack_.size()));
            w(f);
            done_dst();
        }
        return push(ValType::FuncRef);
    }
    case 0xfc: return prefixed();
    default: break;
    }
    if (opcode >= 0x28 && opcode <= 0x3e) {
        MemInfo mi = mem_info(opcode);
        uint32_t offset;
        if (!memarg(mi.natural_log2, offset))
            return false;
        if (mi.is_store) {
            if (!pop_expect(mi.type, b) || !pop_expect(ValType::I32, a))
                return false;
            if (live()) {
                op(mi.op);
                w(a.slot);
                w(b.slot);
                w(offset);
            }
            return true;
        }
        if (!pop_expect(ValType::I32, a))
            return false;
        if (live()) {
            op(mi.op);
            dst(temp_slot(stack_.size()));
            w(a.slot);
            w(offset);
            done_dst();
        }
        return push(mi.type);
    }
    return numeric(opcode);
}

} // namespace

bool compile_function(Module& m, uint32_t index, Reader& body, LoadError& err) {
    FuncCompiler fc(m, index, body, err);
    return fc.run();
}

} // namespace wasm
