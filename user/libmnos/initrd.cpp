#include "user/libmnos/initrd.h"

#include "abi/init.h"
#include "lib/tar.h"
#include "user/libmnos/layout.h"
#include "user/libmnos/spin_lock.h"

namespace mnos::initrd {

namespace {
SpinLock g_lock;
std::span<const uint8_t> g_archive;
bool g_mapped = false;
} // namespace

lib::Result<std::span<const uint8_t>> map(CapSlot frame, const char** reason) {
    LockGuard guard(g_lock);
    if (g_mapped)
        return g_archive;
    sys::CapDescription what = TRY(sys::inspect(frame));
    if (what.type != CapType::MemoryFrame || what.size == 0)
        return lib::fail(Error::WrongType);
    TRY(sys::map_memory(service_caps::SELF, frame, layout::INITRD_BASE, 0));
    // Sound: the frame is mapped read-only at INITRD_BASE for its whole size, and stays mapped.
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(layout::INITRD_BASE),
                                   what.size * layout::PAGE);
    TRY(lib::tar_validate(bytes, reason));
    g_archive = bytes;
    g_mapped = true;
    return g_archive;
}

lib::Result<std::span<const uint8_t>> file(lib::StringView path) {
    char name[lib::TAR_MAX_PATH + 1];
    if (path.length() > 0 && path[0] == '/')
        path = path.substring(1);
    if (path.is_empty() || path.length() > lib::TAR_MAX_PATH)
        return lib::fail(Error::NotFound);
    __builtin_memcpy(name, path.data(), path.length());
    name[path.length()] = '\0';
    return lib::tar_open(g_archive, name);
}

void for_each_file(void (*visit)(lib::StringView path, size_t size, void* context),
                   void* context) {
    lib::TarReader reader(g_archive);
    while (true) {
        auto entry = reader.next();
        if (!entry || !*entry)
            return;
        if ((*entry)->type == lib::TarType::File)
            visit(lib::StringView((*entry)->path, (*entry)->path_length), (*entry)->data.size(),
                  context);
    }
}

} // namespace mnos::initrd
