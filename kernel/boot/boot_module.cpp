#include "kernel/boot/boot_module.h"

#include "kernel/mm/hhdm.h"

namespace kernel {

std::optional<std::span<const uint8_t>> boot_module(const BootInfo& info, lib::StringView name) {
    for (size_t i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        if (lib::StringView(m.name) != name)
            continue;
        // Boot modules are usable RAM the PMM reserved, all of it inside the HHDM.
        return std::span<const uint8_t>(mm::phys_to_ptr<const uint8_t>(m.start),
                                        m.end.value() - m.start.value());
    }
    return std::nullopt;
}

} // namespace kernel
