#include "lib/wasm/wasi/guest_memory.h"

#include <algorithm>

#include "lib/wasm/engine.h"

namespace wasm::wasi {

GuestMemory::GuestMemory(Memory* memory)
    : GuestMemory(memory ? memory->data() : nullptr, memory ? memory->size_bytes() : 0) {}

bool GuestMemory::write(uint64_t addr, std::span<const uint8_t> src) {
    auto dst = bytes(addr, src.size());
    if (!dst)
        return false;
    std::copy(src.begin(), src.end(), dst->begin());
    return true;
}

} // namespace wasm::wasi
