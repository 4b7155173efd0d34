// Store::trap_site: which function a trap happened in, by index and by the name the module's
// "name" section gives it. Read only when a trap is reported, and defensively: the section is
// a custom one the decoder does not validate, so anything malformed just leaves the name out.
#include "lib/wasm/engine.h"
#include "lib/wasm/module.h"
#include "lib/wasm/reader.h"

namespace wasm {

namespace {

constexpr uint8_t kFunctionNames = 1; // the name section's subsection of function names

Name function_name(const Module& m, uint32_t index) {
    if (m.names_size == 0)
        return {};
    const uint8_t* begin = m.bytes + m.names_offset;
    Reader r(begin, begin + m.names_size);
    while (!r.at_end()) {
        uint8_t id;
        uint32_t size;
        const uint8_t* body;
        if (!r.u8(id) || !r.u32(size) || !r.bytes(size, body))
            return {};
        if (id != kFunctionNames)
            continue;
        Reader names(body, body + size);
        uint32_t count;
        if (!names.u32(count))
            return {};
        for (uint32_t i = 0; i < count; ++i) {
            uint32_t function, length;
            const uint8_t* text;
            if (!names.u32(function) || !names.u32(length) || !names.bytes(length, text))
                return {};
            if (function == index)
                // The bytes are the Store's copy of the binary, alive as long as the module.
                return Name(reinterpret_cast<const char*>(text), length);
        }
        return {};
    }
    return {};
}

} // namespace

std::optional<Store::TrapSite> Store::trap_site(const Trap& trap) {
    const Function* f = trap.in_function;
    if (!f || !f->instance)
        return std::nullopt;
    const Instance& inst = *f->instance;
    const Module& m = *inst.module;
    for (uint32_t i = 0; i < m.func_types.size(); ++i)
        if (inst.funcs[i] == f)
            return TrapSite{i, function_name(m, i)};
    return std::nullopt;
}

} // namespace wasm
