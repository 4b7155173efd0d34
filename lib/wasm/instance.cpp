// Instantiation (linking, segment initialisation, start function) and the runtime objects.
#include "lib/wasm/exec.h"
#include "lib/wasm/module.h"

namespace wasm {

// ---- runtime objects ----

bool Memory::read(uint64_t addr, void* dst, uint64_t len) const {
    if (addr > size || len > size - addr)
        return false;
    if (len)
        __builtin_memcpy(dst, bytes + addr, len);
    return true;
}

bool Memory::write(uint64_t addr, const void* src, uint64_t len) {
    if (addr > size || len > size - addr)
        return false;
    if (len)
        __builtin_memcpy(bytes + addr, src, len);
    return true;
}

std::optional<uint32_t> Memory::grow(uint32_t delta) {
    uint32_t old = pages;
    uint64_t want = static_cast<uint64_t>(pages) + delta;
    uint32_t limit = max_pages < store->config().max_memory_pages ? max_pages
                                                                  : store->config().max_memory_pages;
    if (want > limit)
        return std::nullopt;
    if (delta == 0)
        return old;
    uint64_t new_size = want * kPageSize;
    if (new_size > capacity) {
        // Capacity grows geometrically (up to the limit), so a program growing one page at a
        // time copies its memory O(log n) times instead of once per page.
        uint64_t doubled = capacity * 2;
        uint64_t most = uint64_t(limit) * kPageSize;
        uint64_t new_capacity = doubled > new_size ? (doubled < most ? doubled : most) : new_size;
        lib::Allocator& a = store->allocator();
        auto* fresh = static_cast<uint8_t*>(a.allocate(new_capacity, 16));
        if (!fresh)
            return std::nullopt;
        if (size)
            __builtin_memcpy(fresh, bytes, size);
        if (bytes)
            a.deallocate(bytes, capacity, 16);
        bytes = fresh;
        capacity = new_capacity;
    }
    // Bytes past the old size are zeroed here, not at allocation: shrinking never happens, but
    // the spare capacity of a fresh block is uninitialised.
    __builtin_memset(bytes + size, 0, new_size - size);
    size = new_size;
    pages = static_cast<uint32_t>(want);
    return old;
}

std::optional<Value> Table::get(uint32_t i) const {
    if (i >= size)
        return std::nullopt;
    return Value{elem_type, elems[i]};
}

bool Table::set(uint32_t i, Value v) {
    if (i >= size || v.type != elem_type)
        return false;
    elems[i] = v.bits;
    return true;
}

std::optional<uint32_t> Table::grow(uint32_t delta, Value init) {
    uint32_t old = size;
    uint64_t want = static_cast<uint64_t>(size) + delta;
    uint32_t limit = store->config().max_table_elements;
    if (has_max && max < limit)
        limit = max;
    if (want > limit)
        return std::nullopt;
    if (want > capacity) {
        lib::Allocator& a = store->allocator();
        uint64_t cap = want < 8 ? 8 : want;
        if (cap < static_cast<uint64_t>(capacity) * 2)
            cap = static_cast<uint64_t>(capacity) * 2;
        if (cap > limit)
            cap = want;
        auto* fresh = static_cast<uint64_t*>(a.allocate(cap * sizeof(uint64_t), alignof(uint64_t)));
        if (!fresh)
            return std::nullopt;
        for (uint32_t i = 0; i < size; ++i)
            fresh[i] = elems[i];
        if (elems)
            a.deallocate(elems, capacity * sizeof(uint64_t), alignof(uint64_t));
        elems = fresh;
        capacity = static_cast<uint32_t>(cap);
    }
    for (uint64_t i = size; i < want; ++i)
        elems[i] = init.bits;
    size = static_cast<uint32_t>(want);
    return old;
}

bool Global::set(Value v) {
    if (!is_mutable || v.type != type)
        return false;
    bits = v.bits;
    return true;
}

Function* Store::create_host_function(std::span<const ValType> params,
                                      std::span<const ValType> results, HostFunc fn,
                                      void* user_data) {
    if (!fn || results.size() > 16) // call_host keeps the results in a fixed buffer
        return nullptr;
    const FuncType* t = intern_type(params, results);
    auto* f = alloc_array<Function>(1);
    if (!t || !f)
        return nullptr;
    f->type = t;
    f->host = fn;
    f->user_data = user_data;
    return f;
}

Memory* Store::create_memory(uint32_t min_pages, std::optional<uint32_t> max_pages) {
    if (min_pages > kMaxPages || (max_pages && (*max_pages > kMaxPages || *max_pages < min_pages)))
        return nullptr;
    if (min_pages > config_.max_memory_pages)
        return nullptr;
    auto* m = alloc_array<Memory>(1);
    if (!m || !memories_.push_back(m))
        return nullptr;
    m->store = this;
    m->has_max = max_pages.has_value();
    m->max_pages = max_pages ? *max_pages : kMaxPages;
    if (min_pages && !m->grow(min_pages))
        return nullptr;
    return m;
}

Table* Store::create_table(ValType elem_type, uint32_t min, std::optional<uint32_t> max) {
    if (max && *max < min)
        return nullptr;
    if (min > config_.max_table_elements)
        return nullptr;
    auto* t = alloc_array<Table>(1);
    if (!t || !tables_.push_back(t))
        return nullptr;
    t->store = this;
    t->elem_type = elem_type;
    t->has_max = max.has_value();
    t->max = max ? *max : 0xffffffffu;
    if (min && !t->grow(min, Value::null(elem_type)))
        return nullptr;
    return t;
}

Global* Store::create_global(ValType type, bool is_mutable, Value init) {
    auto* g = alloc_array<Global>(1);
    if (!g)
        return nullptr;
    g->type = type;
    g->is_mutable = is_mutable;
    g->bits = init.bits;
    return g;
}

// ---- out-of-line instructions ----

static bool out_of_range(uint64_t start, uint64_t n, uint64_t size) { return start + n > size; }

TrapKind memory_fill(Memory* m, uint32_t d, uint32_t val, uint32_t n) {
    if (out_of_range(d, n, m->size))
        return TrapKind::MemoryOutOfBounds;
    if (n)
        __builtin_memset(m->bytes + d, static_cast<int>(val & 0xff), n);
    return TrapKind::None;
}

TrapKind memory_copy(Memory* m, uint32_t d, uint32_t s, uint32_t n) {
    if (out_of_range(d, n, m->size) || out_of_range(s, n, m->size))
        return TrapKind::MemoryOutOfBounds;
    if (n)
        __builtin_memmove(m->bytes + d, m->bytes + s, n);
    return TrapKind::None;
}

TrapKind memory_init(Instance* inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n) {
    Memory* m = inst->memory0;
    const DataInstance& data = inst->datas[seg];
    if (out_of_range(d, n, m->size) || out_of_range(s, n, data.size))
        return TrapKind::MemoryOutOfBounds;
    if (n)
        __builtin_memcpy(m->bytes + d, data.bytes + s, n);
    return TrapKind::None;
}

TrapKind table_init(Instance* inst, uint32_t table, uint32_t seg, uint32_t d, uint32_t s,
                    uint32_t n) {
    Table* t = inst->tables[table];
    const ElemInstance& e = inst->elems[seg];
    if (out_of_range(d, n, t->size) || out_of_range(s, n, e.size))
        return TrapKind::TableOutOfBounds;
    for (uint32_t i = 0; i < n; ++i)
        t->elems[d + i] = e.items[s + i];
    return TrapKind::None;
}

TrapKind table_copy(Table* dst, Table* src, uint32_t d, uint32_t s, uint32_t n) {
    if (out_of_range(d, n, dst->size) || out_of_range(s, n, src->size))
        return TrapKind::TableOutOfBounds;
    if (n)
        __builtin_memmove(dst->elems + d, src->elems + s, n * sizeof(uint64_t));
    return TrapKind::None;
}

TrapKind table_fill(Table* t, uint32_t i, uint64_t val, uint32_t n) {
    if (out_of_range(i, n, t->size))
        return TrapKind::TableOutOfBounds;
    for (uint32_t k = 0; k < n; ++k)
        t->elems[i + k] = val;
    return TrapKind::None;
}

// ---- instantiation ----

namespace {

bool limits_match(uint64_t min, bool has_max, uint64_t max, const Limits& want) {
    if (min < want.min)
        return false;
    if (want.has_max && (!has_max || max > want.max))
        return false;
    return true;
}

uint64_t eval_const(const Instance* inst, const ConstExpr& e) {
    switch (e.kind) {
    case ConstExpr::Kind::Value: return e.value;
    case ConstExpr::Kind::RefFunc:
        // A funcref value is the Function's address.
        return reinterpret_cast<uintptr_t>(inst->funcs[e.value]);
    case ConstExpr::Kind::GlobalGet: return inst->globals[e.value]->bits;
    }
    return 0;
}

using Err = std::unexpected<InstantiateError>;

Err unlinkable(const char* msg, uint32_t i) {
    return Err(InstantiateError{InstantiateError::Kind::Unlinkable, msg, i, {}});
}
Err out_of_memory() {
    return Err(InstantiateError{InstantiateError::Kind::OutOfMemory, "out of memory", 0, {}});
}
Err trapped(TrapKind k) {
    return Err(InstantiateError{InstantiateError::Kind::Trapped, trap_message(k), 0, Trap::of(k)});
}

} // namespace

std::expected<Instance*, InstantiateError> Store::instantiate(const Module& m,
                                                              ImportResolver& imports) {
    if (m.store != this)
        return unlinkable("module belongs to another store", 0);
    auto* inst = alloc_array<Instance>(1);
    if (!inst)
        return out_of_memory();
    inst->store = this;
    inst->module = &m;
    inst->funcs = alloc_array<Function*>(m.func_types.size());
    inst->tables = alloc_array<Table*>(m.tables.size());
    inst->memories = alloc_array<Memory*>(m.memories.size());
    inst->globals = alloc_array<Global*>(m.globals.size());
    inst->types = alloc_array<const FuncType*>(m.types.size());
    inst->elems = alloc_array<ElemInstance>(m.elems.size());
    inst->datas = alloc_array<DataInstance>(m.datas.size());
    if (!inst->funcs || !inst->tables || !inst->memories || !inst->globals || !inst->types ||
        !inst->elems || !inst->datas)
        return out_of_memory();
    for (size_t i = 0; i < m.types.size(); ++i)
        inst->types[i] = m.types[i];

    // Imports, checked against their declared types.
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < m.imports.size(); ++i) {
        const ImportDesc& d = m.imports[i];
        Extern e = imports.resolve(d.module, d.field, d.kind);
        if (!e)
            return unlinkable("unknown import", i);
        if (e.kind != d.kind)
            return unlinkable("incompatible import type", i);
        switch (d.kind) {
        case ExternKind::Func: {
            Function* f = e.as_func();
            if (f->type != m.types[d.type_index])
                return unlinkable("incompatible import type", i);
            inst->funcs[nf++] = f;
            break;
        }
        case ExternKind::Table: {
            Table* t = e.as_table();
            if (t->elem_type != d.table.elem ||
                !limits_match(t->size, t->has_max, t->max, d.table.limits))
                return unlinkable("incompatible import type", i);
            inst->tables[nt++] = t;
            break;
        }
        case ExternKind::Memory: {
            Memory* mem = e.as_memory();
            if (!limits_match(mem->pages, mem->has_max, mem->max_pages, d.memory))
                return unlinkable("incompatible import type", i);
            inst->memories[nm++] = mem;
            break;
        }
        case ExternKind::Global: {
            Global* g = e.as_global();
            if (g->type != d.global.type || g->is_mutable != d.global.is_mutable)
                return unlinkable("incompatible import type", i);
            inst->globals[ng++] = g;
            break;
        }
        }
    }

    // Definitions.
    for (uint32_t i = 0; i < m.codes.size(); ++i) {
        auto* f = alloc_array<Function>(1);
        if (!f)
            return out_of_memory();
        f->type = m.types[m.func_types[m.num_imported_funcs + i]];
        f->instance = inst;
        f->code = &m.codes[i];
        inst->funcs[nf++] = f;
    }
    for (uint32_t i = m.num_imported_tables; i < m.tables.size(); ++i) {
        const TableDesc& d = m.tables[i];
        Table* t = create_table(d.elem, d.limits.min,
                                d.limits.has_max ? std::optional<uint32_t>(d.limits.max)
                                                 : std::nullopt);
        if (!t)
            return out_of_memory();
        inst->tables[nt++] = t;
    }
    for (uint32_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
        const Limits& l = m.memories[i];
        Memory* mem = create_memory(l.min, l.has_max ? std::optional<uint32_t>(l.max) : std::nullopt);
        if (!mem)
            return out_of_memory();
        inst->memories[nm++] = mem;
    }
    inst->memory0 = m.memories.size() ? inst->memories[0] : nullptr;
    for (uint32_t i = m.num_imported_globals; i < m.globals.size(); ++i) {
        const GlobalDesc& d = m.globals[i];
        Global* g = alloc_array<Global>(1);
        if (!g)
            return out_of_memory();
        g->type = d.type;
        g->is_mutable = d.is_mutable;
        g->bits = eval_const(inst, m.global_inits[i - m.num_imported_globals]);
        inst->globals[ng++] = g;
    }
    for (uint32_t i = 0; i < m.elems.size(); ++i) {
        const ElemSegment& s = m.elems[i];
        ElemInstance& e = inst->elems[i];
        e.items = alloc_array<uint64_t>(s.items.size());
        if (!e.items)
            return out_of_memory();
        for (size_t k = 0; k < s.items.size(); ++k)
            e.items[k] = eval_const(inst, s.items[k]);
        e.size = s.mode == SegmentMode::Passive ? static_cast<uint32_t>(s.items.size()) : 0;
    }
    for (uint32_t i = 0; i < m.datas.size(); ++i) {
        const DataSegment& s = m.datas[i];
        inst->datas[i] = {s.bytes, s.mode == SegmentMode::Passive ? s.size : 0};
    }

    // Active segments, in order: elements, then data. A failing segment traps after the
    // earlier ones have been written (the bulk-memory semantics).
    for (uint32_t i = 0; i < m.elems.size(); ++i) {
        const ElemSegment& s = m.elems[i];
        if (s.mode != SegmentMode::Active)
            continue;
        uint32_t offset = static_cast<uint32_t>(eval_const(inst, s.offset));
        Table* t = inst->tables[s.table];
        uint32_t n = static_cast<uint32_t>(s.items.size());
        if (static_cast<uint64_t>(offset) + n > t->size)
            return trapped(TrapKind::TableOutOfBounds);
        for (uint32_t k = 0; k < n; ++k)
            t->elems[offset + k] = inst->elems[i].items[k];
    }
    for (uint32_t i = 0; i < m.datas.size(); ++i) {
        const DataSegment& s = m.datas[i];
        if (s.mode != SegmentMode::Active)
            continue;
        uint32_t offset = static_cast<uint32_t>(eval_const(inst, s.offset));
        Memory* mem = inst->memory0;
        if (static_cast<uint64_t>(offset) + s.size > mem->size)
            return trapped(TrapKind::MemoryOutOfBounds);
        if (s.size)
            __builtin_memcpy(mem->bytes + offset, s.bytes, s.size);
    }

    if (m.has_start) {
        Trap t = call(inst->funcs[m.start], {}, {});
        if (!t.ok())
            return Err(InstantiateError{InstantiateError::Kind::Trapped, t.what(), 0, t});
    }
    return inst;
}

Extern Instance::find_export(Name name) const {
    for (const ExportDesc& e : module->exports) {
        if (!(e.name == name))
            continue;
        switch (e.kind) {
        case ExternKind::Func: return Extern::func(funcs[e.index]);
        case ExternKind::Table: return Extern::table(tables[e.index]);
        case ExternKind::Memory: return Extern::memory(memories[e.index]);
        case ExternKind::Global: return Extern::global(globals[e.index]);
        }
    }
    return {};
}

Trap Instance::call(Name export_name, std::span<const Value> args, std::span<Value> results) {
    Function* f = export_func(export_name);
    if (!f)
        return Trap::of(TrapKind::BadArguments);
    return store->call(f, args, results);
}

// ---- Linker ----

Linker::Linker(lib::Allocator& alloc)
    : alloc_(alloc), entries_(&alloc), instances_(&alloc), names_(&alloc), name_sizes_(&alloc) {}

Linker::~Linker() {
    for (size_t i = 0; i < names_.size(); ++i)
        alloc_.deallocate(names_[i], name_sizes_[i], 1);
}

Name Linker::copy(Name n) {
    size_t size = n.size ? n.size : 1;
    auto* p = static_cast<char*>(alloc_.allocate(size, 1));
    if (!p)
        return {nullptr, 0};
    if (!names_.push_back(p) || !name_sizes_.push_back(size)) {
        alloc_.deallocate(p, size, 1);
        return {nullptr, 0};
    }
    if (n.size)
        __builtin_memcpy(p, n.data, n.size);
    return {p, n.size};
}

bool Linker::define(Name module, Name field, Extern ext) {
    Name m = copy(module), f = copy(field);
    if (!m.data || !f.data)
        return false;
    // A later definition of the same name replaces the earlier one.
    for (Entry& e : entries_) {
        if (e.module == module && e.field == field) {
            e.ext = ext;
            return true;
        }
    }
    return entries_.push_back({m, f, ext});
}

bool Linker::define_host(Store& store, Name module, Name field, std::span<const ValType> params,
                         std::span<const ValType> results, HostFunc fn, void* user_data) {
    Function* f = store.create_host_function(params, results, fn, user_data);
    return f && define(module, field, Extern::func(f));
}

bool Linker::define_instance(Name module, Instance* instance) {
    for (InstanceEntry& e : instances_) {
        if (e.module == module) {
            e.instance = instance;
            return true;
        }
    }
    Name m = copy(module);
    return m.data && instances_.push_back({m, instance});
}

Extern Linker::resolve(Name module, Name field, ExternKind kind) {
    for (const Entry& e : entries_)
        if (e.module == module && e.field == field)
            return e.ext;
    for (const InstanceEntry& e : instances_)
        if (e.module == module)
            return e.instance->find_export(field);
    return {};
}

} // namespace wasm
