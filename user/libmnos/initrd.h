// The initrd, for a process that was granted its frame (init, and whoever init passes it to):
// mapped read-only at layout::INITRD_BASE, read with lib/tar.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"
#include "lib/string_view.h"
#include "user/libmnos/syscall.h"

namespace mnos::initrd {

// Maps the archive in `frame` (a MemoryFrame with READ) once and validates it: Malformed (with
// *reason) when lib/tar refuses it. Later calls return the same bytes.
lib::Result<std::span<const uint8_t>> map(CapSlot frame, const char** reason = nullptr);

// The bytes of `path` ("/bin/hello" or "bin/hello") in the mapped archive; NotFound.
lib::Result<std::span<const uint8_t>> file(lib::StringView path);

// Calls visit(path, size) for every regular file, in archive order.
void for_each_file(void (*visit)(lib::StringView path, size_t size, void* context), void* context);

} // namespace mnos::initrd
