// The host functions a Wasm program may import beside WASI, each granted by name by whoever
// starts it (wasm --allow=MODULE.FIELD); an import that was not granted stays undefined, and
// instantiation fails naming it.
//
//   mnos.print(ptr: i32, len: i32)   the bytes at [ptr, ptr + len) to the console
#pragma once

#include <span>

#include "lib/string_view.h"
#include "lib/wasm/engine.h"

namespace wasm_host {

// Defines each of `allowed` that exists; unknown names are ignored (nothing to grant). False
// when the linker runs out of memory.
bool define_allowed(wasm::Store& store, wasm::Linker& linker,
                    std::span<const lib::StringView> allowed);

} // namespace wasm_host
