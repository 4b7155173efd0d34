#include "user/wasm/frame_code_memory.h"

#include "abi/init.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/syscall.h"

namespace wasm_host {

namespace {
constexpr uint64_t PAGE = 4096;
namespace sys = mnos::sys;
} // namespace

FrameCodeMemory::Mapping* FrameCodeMemory::find(uint8_t* base) {
    for (Mapping& m : m_mappings)
        if (m.base == base && base != nullptr)
            return &m;
    return nullptr;
}

wasm::CodeMemory::Region FrameCodeMemory::map_writable(size_t size) {
    Mapping* slot = nullptr;
    for (Mapping& m : m_mappings)
        if (!m.base) {
            slot = &m;
            break;
        }
    if (!slot || size == 0)
        return {};
    uint64_t pages = (size + PAGE - 1) / PAGE;
    auto frame = sys::alloc_memory(mnos::service_caps::BUDGET, pages);
    if (!frame)
        return {};
    auto base = mnos::map_shared(*frame, pages, true);
    if (!base) {
        (void)sys::drop_cap(*frame);
        return {};
    }
    // Sound: map_shared just mapped the frame's `pages` pages writable at *base.
    *slot = {static_cast<uint8_t*>(*base), pages, *frame};
    return {slot->base, pages * PAGE};
}

bool FrameCodeMemory::make_executable(Region r) {
    Mapping* m = find(r.base);
    if (!m)
        return false;
    uint64_t address = reinterpret_cast<uint64_t>(m->base);
    // Never both: the writable mapping goes before the executable one comes.
    if (!sys::unmap_memory(mnos::service_caps::SELF, address, m->pages))
        return false;
    return bool(sys::map_memory(mnos::service_caps::SELF, m->frame, address, mnos::MAP_EXEC));
}

void FrameCodeMemory::unmap(Region r) {
    Mapping* m = find(r.base);
    if (!m)
        return;
    (void)sys::unmap_memory(mnos::service_caps::SELF, reinterpret_cast<uint64_t>(m->base),
                            m->pages);
    (void)sys::drop_cap(m->frame);
    *m = {};
}

} // namespace wasm_host
