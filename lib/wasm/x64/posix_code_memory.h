// CodeMemory for Linux hosts: anonymous mmap, then mprotect from RW to RX.
#pragma once

#include "lib/wasm/code_memory.h"

namespace wasm::x64 {

class PosixCodeMemory final : public CodeMemory {
public:
    Region map_writable(size_t size) override;
    bool make_executable(Region r) override;
    void unmap(Region r) override;
};

} // namespace wasm::x64
