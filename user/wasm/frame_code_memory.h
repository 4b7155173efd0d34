// Where the compiled tier's code lives in MinimalOS: memory frames from this process's budget,
// mapped writable while the compiler fills them, then unmapped and mapped again executable
// and read-only. The kernel refuses any mapping both writable and executable (MapMemory), so
// W^X holds by the capability rules themselves, not by this class's good behaviour.
#pragma once

#include <cstdint>

#include "abi/capability.h"
#include "lib/wasm/code_memory.h"

namespace wasm_host {

class FrameCodeMemory final : public wasm::CodeMemory {
public:
    Region map_writable(size_t size) override;
    bool make_executable(Region r) override;
    void unmap(Region r) override;

private:
    struct Mapping {
        uint8_t* base = nullptr;
        uint64_t pages = 0;
        mnos::CapSlot frame = mnos::CapSlot::none();
    };
    Mapping* find(uint8_t* base);
    static constexpr int MAX_MAPPINGS = 64;
    Mapping m_mappings[MAX_MAPPINGS];
};

} // namespace wasm_host
