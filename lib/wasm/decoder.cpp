// Module decoding: the binary format's sections, in order, each checked against its declared
// size. Function bodies are handed to the compiler (compiler.cpp), which validates them.
#include "lib/wasm/module.h"

namespace wasm {

bool decode_valtype(uint8_t byte, ValType& out) {
    switch (byte) {
    case 0x7f:
    case 0x7e:
    case 0x7d:
    case 0x7c:
    case 0x70:
    case 0x6f: out = static_cast<ValType>(byte); return true;
    default: return false;
    }
}

namespace {

constexpr uint32_t kMaxTypes = 1'000'000;

// Well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const uint8_t* s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint32_t cp;
        if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
            return false;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

class Decoder {
public:
    Decoder(Module& m, LoadError& err) : m_(m), err_(err), alloc_(m.store->allocator()) {}
    bool run();

private:
    bool malformed(const char* msg, size_t off) {
        err_ = {LoadErrorKind::Malformed, msg, off};
        return false;
    }
    bool invalid(const char* msg, size_t off) {
        err_ = {LoadErrorKind::Invalid, msg, off};
        return false;
    }
    bool oom() {
        err_ = {LoadErrorKind::OutOfMemory, "out of memory", 0};
        return false;
    }
    bool read_failed(Reader& r) {
        const char* msg = "unexpected end";
        if (r.status() == Reader::Status::TooLong)
            msg = "integer representation too long";
        else if (r.status() == Reader::Status::TooLarge)
            msg = "integer too large";
        return malformed(msg, r.error_offset());
    }
    // A vector length: every element takes at least one byte, so a count beyond the bytes left
    // is malformed, and checking it first bounds every allocation by the input size.
    bool count(Reader& r, uint32_t& n) {
        size_t off = r.offset();
        if (!r.u32(n))
            return read_failed(r);
        if (n > r.remaining())
            return malformed("unexpected end", off);
        return true;
    }
    bool name(Reader& r, Name& out) {
        uint32_t n;
        size_t off = r.offset();
        if (!r.u32(n))
            return read_failed(r);
        const uint8_t* p;
        if (!r.bytes(n, p))
            return malformed("unexpected end", off);
        if (!valid_utf8(p, n))
            return malformed("malformed UTF-8 encoding", off);
        // The bytes live in the Module's copy of the binary, so the name stays valid.
        out = Name(reinterpret_cast<const char*>(p), n);
        return true;
    }
    bool valtype(Reader& r, ValType& t) {
        size_t off = r.offset();
        uint8_t b;
        if (!r.u8(b))
            return read_failed(r);
        if (!decode_valtype(b, t))
            return malformed("malformed value type", off);
        return true;
    }
    bool reftype(Reader& r, ValType& t) {
        size_t off = r.offset();
        if (!valtype(r, t))
            return false;
        if (!is_ref(t))
            return malformed("malformed reference type", off);
        return true;
    }
    bool limits(Reader& r, Limits& l, uint64_t bound, const char* too_big) {
        size_t off = r.offset();
        uint8_t flag;
        if (!r.u8(flag))
            return read_failed(r);
        if (flag > 1)
            return malformed("integer too large", off);
        if (!r.u32(l.min))
            return read_failed(r);
        l.has_max = flag == 1;
        if (l.has_max && !r.u32(l.max))
            return read_failed(r);
        if (l.min > bound || (l.has_max && l.max > bound))
            return invalid(too_big, off);
        if (l.has_max && l.max < l.min)
            return invalid("size minimum must not be greater than maximum", off);
        return true;
    }
    bool table_type(Reader& r, TableDesc& t) {
        return reftype(r, t.elem) && limits(r, t.limits, 0xffffffffu, "table size");
    }
    bool memory_type(Reader& r, Limits& l) {
        return limits(r, l, kMaxPages, "memory size must be at most 65536 pages (4GiB)");
    }
    bool global_type(Reader& r, GlobalDesc& g) {
        if (!valtype(r, g.type))
            return false;
        size_t off = r.offset();
        uint8_t mut;
        if (!r.u8(mut))
            return read_failed(r);
        if (mut > 1)
            return malformed("malformed mutability", off);
        g.is_mutable = mut == 1;
        return true;
    }
    // A constant expression of type `want`. Global initialisers may only read imported
    // globals (`globals_visible`); all must be immutable.
    bool const_expr(Reader& r, ValType want, ConstExpr& out, uint32_t globals_visible);
    bool func_index(uint32_t f, size_t off) {
        return f < m_.func_types.size() ? true : invalid("unknown function", off);
    }

    bool section(uint8_t id, Reader& r);
    bool type_section(Reader& r);
    bool import_section(Reader& r);
    bool function_section(Reader& r);
    bool table_section(Reader& r);
    bool memory_section(Reader& r);
    bool global_section(Reader& r);
    bool export_section(Reader& r);
    bool start_section(Reader& r);
    bool elem_section(Reader& r);
    bool code_section(Reader& r);
    bool data_section(Reader& r);

    Module& m_;
    LoadError& err_;
    lib::Allocator& alloc_;
    bool saw_code_ = false;
    bool saw_data_ = false;
};

bool Decoder::const_expr(Reader& r, ValType want, ConstExpr& out, uint32_t globals_visible) {
    size_t off = r.offset();
    uint8_t opcode;
    if (!r.u8(opcode))
        return read_failed(r);
    ValType got;
    switch (opcode) {
    case 0x41: {
        int32_t v;
        if (!r.s32(v))
            return read_failed(r);
        out = {ConstExpr::Kind::Value, static_cast<uint32_t>(v)};
        got = ValType::I32;
        break;
    }
    case 0x42: {
        int64_t v;
        if (!r.s64(v))
            return read_failed(r);
        out = {ConstExpr::Kind::Value, static_cast<uint64_t>(v)};
        got = ValType::I64;
        break;
    }
    case 0x43: {
        uint32_t v;
        if (!r.fixed32(v))
            return read_failed(r);
        out = {ConstExpr::Kind::Value, v};
        got = ValType::F32;
        break;
    }
    case 0x44: {
        uint64_t v;
        if (!r.fixed64(v))
            return read_failed(r);
        out = {ConstExpr::Kind::Value, v};
        got = ValType::F64;
        break;
    }
    case 0xd0:
        if (!reftype(r, got))
            return false;
        out = {ConstExpr::Kind::Value, 0};
        break;
    case 0xd2: {
        uint32_t f;
        if (!r.u32(f))
            return read_failed(r);
        if (!func_index(f, off))
            return false;
        m_.declared_funcs[f] = 1;
        out = {ConstExpr::Kind::RefFunc, f};
        got = ValType::FuncRef;
        break;
    }
    case 0x23: {
        uint32_t g;
        if (!r.u32(g))
            return read_failed(r);
        if (g >= globals_visible)
            return invalid("unknown global", off);
        if (m_.globals[g].is_mutable)
            return invalid("constant expression required", off);
        out = {ConstExpr::Kind::GlobalGet, g};
        got = m_.globals[g].type;
        break;
    }
    case 0x0b: return invalid("type mismatch", off); // empty expression
    default:
        // Anything else is either an unknown opcode or a non-constant instruction.
        return invalid("constant expression required", off);
    }
    size_t end_off = r.offset();
    uint8_t end;
    if (!r.u8(end))
        return read_failed(r);
    if (end != 0x0b) {
        // A second instruction: more values than the type allows, or not constant at all.
        return invalid(end >= 0x41 && end <= 0x44 ? "type mismatch" : "constant expression required",
                       end_off);
    }
    if (got != want)
        return invalid("type mismatch", off);
    return true;
}

bool Decoder::type_section(Reader& r) {
    uint32_t n;
    if (!count(r, n))
        return false;
    if (n > kMaxTypes)
        return malformed("too many types", r.offset());
    lib::Vector<ValType> params(&alloc_), results(&alloc_);
    for (uint32_t i = 0; i < n; ++i) {
        size_t off = r.offset();
        uint8_t form;
        if (!r.u8(form))
            return read_failed(r);
        if (form != 0x60)
            return malformed("integer representation too long", off);
        params.clear();
        results.clear();
        uint32_t np, nr;
        if (!count(r, np))
            return false;
        for (uint32_t k = 0; k < np; ++k) {
            ValType t;
            if (!valtype(r, t))
                return false;
            if (!params.push_back(t))
                return oom();
        }
        if (!count(r, nr))
            return false;
        for (uint32_t k = 0; k < nr; ++k) {
            ValType t;
            if (!valtype(r, t))
                return false;
            if (!results.push_back(t))
                return oom();
        }
        const FuncType* ft = m_.store->intern_type(params.span(), results.span());
        if (!ft || !m_.types.push_back(ft))
            return oom();
    }
    return true;
}

bool Decoder::import_section(Reader& r) {
    uint32_t n;
    if (!count(r, n))
        return false;
    for (uint32_t i = 0; i < n; ++i) {
        ImportDesc im;
        if (!name(r, im.module) || !name(r, im.field))
            return false;
        size_t off = r.offset();
        uint8_t kind;
        if (!r.u8(kind))
            return read_failed(r);
        switch (kind) {
        case 0:
            im.kind = ExternKind::Func;
            if (!r.u32(im.type_index))
                return read_failed(r);
            if (im.type_index >= m_.types.size())
                return invalid("unknown type", off);
            if (!m_.func_types.push_back(im.type_index))
                return oom();
            ++m_.num_imported_funcs;
            break;
        case 1:
            im.kind = ExternKind::Table;
            if (!table_type(r, im.table))
                return false;
            if (!m_.tables.push_back(im.table))
                return oom();
            ++m_.num_imported_tables;
            break;
        case 2:
            im.kind = ExternKind::Memory;
            if (!memory_type(r, im.memory))
                return false;
            if (!m_.memories.push_back(im.memory))
                return oom();
            if (m_.memories.size() > 1)
                return invalid("multiple memories", off);
            ++m_.num_imported_memories;
            break;
        case 3:
            im.kind = ExternKind::Global;
            if (!global_type(r, im.global))
                return false;
            if (!m_.globals.push_back(im.global))
                return oom();
            ++m_.num_imported_globals;
            break;
        default: return malformed("malformed import kind", off);
        }
        if (!m_.imports.push_back(im))
            return oom();
    }
    return true;
}

bool Decoder::function_section(Reader& r) {
    uint32_t n;
    if (!count(r, n))
        return false;
    for (uint32_t i = 0; i < n; ++i) {
        size_t off = r.offset();
        uint32_t t;
        if (!r.u32(t))
            return read_failed(r);
        if (t >= m_.types.size())
            return invalid("unknown type", off);
        if (!m_.func_types.push_back(t))
            return oom();
    }
    return true;
}

bool Decoder::table_section(Reader& r) {
    uint32_t n;
    if (!count(r, n))
        return false;
    for (uint32_t i = 0; i < n; ++i) {
        TableDesc t;
        if (!table_type(r, t))
            return false;
        if (!m_.tables.push_back(t))
            return oom();
    }
    return true;
}

bool Decoder::memory_section(Reader& r) {
    uint32_t n;
    size_t off = r.offset();
    if (!count(r, n))
        return false;
    for (uint32_t i = 0; i < n; ++i) {
        Limits l;
        if (!memory_type(r, l))
            return false;
        if (!m_.memories.push_back(l))
            return oom();
    }
    if (m_.memories.size() > 1)
        return invalid("multiple memories", off);
    return true;
}

bool Decoder::global_section(Reader& r) {
    uint32_t n;
    if (!count(r, n))
        return false;
    for (uint32_t i = 0; i < n; ++i) {
        GlobalDesc g;
        ConstExpr init;
        if (!global_type(r, g) || !const_expr(r, g.type, init, m_.num_imported_globals))
            return false;
        if (!m_.globals.push_back(g) || !m_.global_inits.push_back(init))
            return oom();
    }
    return true;
}

bool Decoder::export_section(Reader& r) {
    uint32_t n;
    if (!count(r, n))
        return false;
    for (uint32_t i = 0; i < n; ++i) {
        ExportDesc e;
        size_t name_off = r.offset();
        if (!name(r, e.name))
            return false;
        size_t off = r.offset();
        uint8_t kind;
        if (!r.u8(kind) || !r.u32(e.index))
            return read_failed(r);
        switch (kind) {
        case 0:
            if (!func_index(e.index, off))
                return false;
            m_.declared_funcs[e.index] = 1;
            break;
        case 1:
            if (e.index >= m_.tables.size())
                return invalid("unknown table", off);
            break;
        case 2:
            if (e.index >= m_.memories.size())
                return invalid("unknown memory", off);
            break;
        case 3:
            if (e.index >= m_.globals.size())
                return invalid("unknown global", off);
            break;
        default: return malformed("malformed export kind", off);
        }
        e.kind = static_cast<ExternKind>(kind);
        for (const ExportDesc& prev : m_.exports)
            if (prev.name == e.name)
                return invalid("duplicate export name", name_off);
        if (!m_.exports.push_back(e))
            return oom();
    }
    return true;
}

bool Decoder::start_section(Reader& r) {
    size_t off = r.offset();
    if (!r.u32(m_.start))
        return read_failed(r);
    if (!func_index(m_.start, off))
        return false;
    const FuncType* t = m_.types[m_.func_types[m_.start]];
    if (!t->params.empty() || !t->results.empty())
        return invalid("start function", off);
    m_.has_start = true;
    return true;
}

bool Decoder::elem_section(Reader& r) {
    uint32_t n;
    if (!count(r, n))
        return false;
    for (uint32_t i = 0; i < n; ++i) {
        size_t off = r.offset();
        uint32_t flags;
        if (!r.u32(flags))
            return read_failed(r);
        if (flags > 7)
            return malformed("malformed elements segment kind", off);
        ElemSegment seg;
        seg.items.set_allocator(&alloc_);
        bool passive_or_decl = flags & 1;
        bool explicit_table = flags & 2;
        bool uses_exprs = flags & 4;
        if (!passive_or_decl) {
            seg.mode = SegmentMode::Active;
            if (explicit_table && !r.u32(seg.table))
                return read_failed(r);
            if (seg.table >= m_.tables.size())
                return invalid("unknown table", off);
            if (!const_expr(r, ValType::I32, seg.offset, m_.num_imported_globals))
                return false;
        } else {
            seg.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
        }
        // Flags 0 and 4 imply funcref; the others name an element kind or a reference type.
        if (flags & 3) {
            size_t koff = r.offset();
            if (uses_exprs) {
                if (!reftype(r, seg.type))
                    return false;
            } else {
                uint8_t kind;
                if (!r.u8(kind))
                    return read_failed(r);
                if (kind != 0)
                    return malformed("malformed element kind", koff);
                seg.type = ValType::FuncRef;
            }
        }
        uint32_t count_n;
        if (!count(r, count_n))
            return false;
        if (!seg.items.reserve(count_n))
            return oom();
        for (uint32_t k = 0; k < count_n; ++k) {
            ConstExpr e;
            if (uses_exprs) {
                if (!const_expr(r, seg.type, e, m_.num_imported_globals))
                    return false;
            } else {
                size_t foff = r.offset();
                uint32_t f;
                if (!r.u32(f))
                    return read_failed(r);
                if (!func_index(f, foff))
                    return false;
                m_.declared_funcs[f] = 1;
                e = {ConstExpr::Kind::RefFunc, f};
            }
            (void)seg.items.push_back(e); // reserved above
        }
        if (seg.mode == SegmentMode::Active && m_.tables[seg.table].elem != seg.type)
            return invalid("type mismatch", off);
        if (!m_.elems.push_back(static_cast<ElemSegment&&>(seg)))
            return oom();
    }
    return true;
}

bool Decoder::code_section(Reader& r) {
    uint32_t n;
    size_t off = r.offset();
    if (!count(r, n))
        return false;
    if (n != m_.func_types.size() - m_.num_imported_funcs)
        return malformed("function and code section have inconsistent lengths", off);
    for (uint32_t i = 0; i < n; ++i) {
        size_t size_off = r.offset();
        uint32_t size;
        if (!r.u32(size))
            return read_failed(r);
        const uint8_t* body;
        if (!r.bytes(size, body))
            return malformed("unexpected end", size_off);
        Reader br(body, body + size, r.offset() - size);
        if (!compile_function(m_, i, br, err_))
            return false;
        m_.codes.back().body_offset = static_cast<uint32_t>(r.offset() - size);
        m_.codes.back().body_size = size;
    }
    saw_code_ = true;
    return true;
}

bool Decoder::data_section(Reader& r) {
    uint32_t n;
    size_t off = r.offset();
    if (!count(r, n))
        return false;
    if (m_.has_data_count && n != m_.data_count)
        return malformed("data count and data section have inconsistent lengths", off);
    for (uint32_t i = 0; i < n; ++i) {
        size_t soff = r.offset();
        uint32_t flags;
        if (!r.u32(flags))
            return read_failed(r);
        DataSegment seg;
        if (flags > 2)
            return malformed("malformed data segment kind", soff);
        if (flags == 1) {
            seg.mode = SegmentMode::Passive;
        } else {
            seg.mode = SegmentMode::Active;
            if (flags == 2 && !r.u32(seg.memory))
                return read_failed(r);
            if (seg.memory >= m_.memories.size())
                return invalid("unknown memory", soff);
            if (!const_expr(r, ValType::I32, seg.offset, m_.num_imported_globals))
                return false;
        }
        size_t len_off = r.offset();
        if (!r.u32(seg.size))
            return read_failed(r);
        if (!r.bytes(seg.size, seg.bytes))
            return malformed("unexpected end of section or function", len_off);
        if (!m_.datas.push_back(seg))
            return oom();
    }
    saw_data_ = true;
    return true;
}

bool Decoder::section(uint8_t id, Reader& r) {
    switch (id) {
    case 1: return type_section(r);
    case 2: return import_section(r);
    case 3: return function_section(r);
    case 4: return table_section(r);
    case 5: return memory_section(r);
    case 6: return global_section(r);
    case 7: return export_section(r);
    case 8: return start_section(r);
    case 9: return elem_section(r);
    case 10: return code_section(r);
    case 11: return data_section(r);
    case 12: {
        size_t off = r.offset();
        if (!r.u32(m_.data_count))
            return read_failed(r);
        (void)off;
        m_.has_data_count = true;
        return true;
    }
    default: return false;
    }
}

// Position of each known section id in the required order (the data count section, id 12,
// comes between the element and code sections).
int section_rank(uint8_t id) {
    static const int8_t rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return id <= 12 ? rank[id] : -1;
}

bool Decoder::run() {
    Reader r(m_.bytes, m_.bytes + m_.size);
    uint32_t magic, version;
    if (!r.fixed32(magic))
        return malformed("unexpected end", 0);
    if (magic != 0x6d736100)
        return malformed("magic header not detected", 0);
    if (!r.fixed32(version))
        return malformed("unexpected end", 4);
    if (version != 1)
        return malformed("unknown binary version", 4);
    int last_rank = 0;
    bool seen_function_section = false;
    while (!r.at_end()) {
        size_t off = r.offset();
        uint8_t id;
        uint32_t size;
        (void)r.u8(id);
        if (!r.u32(size))
            return read_failed(r);
        const uint8_t* body;
        if (!r.bytes(size, body))
            return malformed("length out of bounds", off);
        Reader sr(body, body + size, r.offset() - size);
        if (id == 0) {
            Name n;
            if (!name(sr, n))
                return false;
            // Custom sections carry nothing the engine runs on; "name" names functions in
            // trap reports, and is read (defensively) only then.
            if (n == Name("name")) {
                m_.names_offset = uint32_t(sr.offset());
                m_.names_size = uint32_t(sr.remaining());
            }
            continue;
        }
        int rank = section_rank(id);
        if (rank < 0)
            return malformed("malformed section id", off);
        if (rank <= last_rank)
            return malformed("unexpected content after last section", off);
        last_rank = rank;
        if (id == 3) {
            seen_function_section = true;
        }
        if (id == 10 || id == 11 || id == 9 || id == 7 || id == 6) {
            // Sections that can name functions need the declared-reference map.
            if (m_.declared_funcs.size() != m_.func_types.size() &&
                !m_.declared_funcs.resize(m_.func_types.size()))
                return oom();
        }
        if (!section(id, sr))
            return false;
        if (!sr.at_end())
            return malformed("section size mismatch", sr.offset());
    }
    (void)seen_function_section;
    if (!saw_code_ && m_.func_types.size() != m_.num_imported_funcs)
        return malformed("function and code section have inconsistent lengths", r.offset());
    if (m_.has_data_count && !saw_data_ && m_.data_count != 0)
        return malformed("data count and data section have inconsistent lengths", r.offset());
    if (m_.declared_funcs.size() != m_.func_types.size() &&
        !m_.declared_funcs.resize(m_.func_types.size()))
        return oom();
    // Fix up the code pointers now that the code buffer no longer moves.
    for (CompiledCode& cc : m_.codes)
        cc.code = m_.code.data() + cc.code_offset;
    return true;
}

} // namespace

bool decode_module(Module& m, std::span<const uint8_t> bytes, LoadError& err) {
    (void)bytes; // m.bytes already holds the Store's copy
    Decoder d(m, err);
    return d.run();
}

} // namespace wasm
