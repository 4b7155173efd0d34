// Starting programs from Ring 3: an ELF image (lib/elf validates it) becomes a new process,
// built through capabilities alone. CreateProcess makes it empty; its pages come from a budget
// and are mapped into it (never writable and executable at once) and, while they are filled,
// into the caller; its capabilities are delegated into its CNode; then SpawnThread starts it.
// Nothing of the child runs before all of that is in place.
#pragma once

#include <cstdint>
#include <span>

#include "lib/result.h"
#include "lib/string_view.h"
#include "user/libmnos/syscall.h"

namespace mnos {

// A capability the new process starts with: a copy of `source` at `destination` in its CNode.
struct Grant {
    CapSlot source;
    CapSlot destination;
    Rights rights;
};

struct Program {
    lib::StringView name; // the process's name, up to 31 bytes (the log shows it)
    std::span<const uint8_t> image;
    std::span<const char* const> argv;
    std::span<const char* const> envp;
    CapSlot budget; // its memory comes from here (WRITE); usually also granted as its slot 1
    std::span<const Grant> grants;
    bool give_self = true; // its own Process capability (READ, WRITE, GRANT) in its slot 0
};

// The new process's capability (all rights) in a free slot of the caller. Malformed (with
// *reason, if given, saying why) for an image lib/elf refuses; OutOfMemory, NoSlot, and the
// errors of the calls above. On failure nothing of the child is left.
lib::Result<CapSlot> spawn(const Program& program, const char** reason = nullptr);

} // namespace mnos
