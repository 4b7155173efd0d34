#include "user/wasm/host_imports.h"

#include "lib/format.h"
#include "user/libmnos/console.h"

namespace wasm_host {

namespace {

wasm::Trap print(wasm::HostCall& call) {
    wasm::Memory* memory = call.memory();
    uint64_t start = call.arg_i32(0), length = call.arg_i32(1);
    if (!memory || start + length > memory->size)
        return wasm::Trap::host("mnos.print: out of bounds");
    // Sound: [start, start + length) was just checked to lie inside the guest's memory.
    (void)mnos::write_output(
        lib::StringView(reinterpret_cast<const char*>(memory->bytes + start), length));
    return wasm::Trap::none();
}

struct HostImport {
    const char* module;
    const char* field;
    wasm::HostFunc function;
    std::span<const wasm::ValType> params;
    std::span<const wasm::ValType> results;
};

constexpr wasm::ValType TWO_I32[] = {wasm::ValType::I32, wasm::ValType::I32};
const HostImport IMPORTS[] = {
    {"mnos", "print", print, TWO_I32, {}},
};

} // namespace

bool define_allowed(wasm::Store& store, wasm::Linker& linker,
                    std::span<const lib::StringView> allowed) {
    for (const HostImport& import : IMPORTS) {
        char full[64];
        lib::BufferOutput out(full, sizeof full);
        lib::format_to(out, "{}.{}", import.module, import.field);
        bool granted = false;
        for (lib::StringView name : allowed)
            granted = granted || name == out.view();
        if (granted && !linker.define_host(store, import.module, import.field, import.params,
                                           import.results, import.function, nullptr))
            return false;
    }
    return true;
}

} // namespace wasm_host
