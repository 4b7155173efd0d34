#include "kernel/boot/initrd.h"

#include "kernel/debug/log.h"
#include "kernel/mm/hhdm.h"
#include "lib/string_view.h"
#include "lib/tar.h"

namespace kernel::initrd {

namespace {
std::span<const uint8_t> g_archive;
}

void init(const BootInfo& info) {
    for (size_t i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        if (lib::StringView(m.name) != lib::StringView("initrd"))
            continue;
        // Boot modules are usable RAM the PMM reserved, all of it inside the HHDM.
        std::span<const uint8_t> bytes(mm::phys_to_ptr<const uint8_t>(m.start), m.end - m.start);
        const char* reason = nullptr;
        auto entries = lib::tar_validate(bytes, &reason);
        if (!entries) {
            kprintln(LogColour::Warning, "initrd: refused: {}", reason ? reason : "malformed");
            return;
        }
        g_archive = bytes;
        kprintln("initrd: {} bytes, {} entries", bytes.size(), *entries);
        return;
    }
    kprintln(LogColour::Warning, "initrd: no boot module named initrd");
}

std::span<const uint8_t> archive() { return g_archive; }

} // namespace kernel::initrd
