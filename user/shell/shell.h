// The shell's parts (docs/console.md): the command loop (main.cpp), the built-in commands
// (builtins.cpp) and running programs from the initrd (run.cpp).
#pragma once

#include <cstddef>

#include "abi/init.h"
#include "lib/string_view.h"
#include "user/libmnos/syscall.h"

namespace shell {

// The shell's CNode: what init gives it (its manifest entry: the initrd), and its own slots.
inline constexpr mnos::CapSlot INITRD{mnos::service_caps::FIRST_GRANT};
inline constexpr mnos::CapSlot CONSOLE{mnos::CNODE_SLOTS - 1};
inline constexpr mnos::CapSlot NAMES = mnos::service_caps::NAME_SERVICE;

inline constexpr size_t MAX_WORDS = 16;

struct Command {
    const char* words[MAX_WORDS + 1]; // null-terminated
    size_t count = 0;
};

// Runs `command` if it is a built-in; false if it is not one.
bool run_builtin(const Command& command);

// Runs the program `command.words[0]` (a path, or a name under /bin) in the foreground and
// reports how it ended unless it exited with 0. Returns its exit code (or 128 + vector).
int run_program(const Command& command);

} // namespace shell
