// A program's terminal: the console service's endpoint, when whoever started the program gave
// it one (the shell does: service_caps slot 3 and MNOS_CONSOLE=3 in the environment, see
// docs/console.md). println() and write_output() go there; without a console they go to the
// kernel's debug log, which is where services started by init write.
#pragma once

#include <cstddef>
#include <span>

#include "lib/result.h"
#include "lib/string_view.h"
#include "user/libmnos/syscall.h"

namespace mnos {

// The environment string `name=value`'s value, or an empty view.
lib::StringView environment(lib::StringView name);
// The whole environment, as the process started with it (init passes its own on).
std::span<const char* const> environment_entries();
// The capability slot `name=<slot>` names (how a launcher says where it put a grant), or none
// when the variable is absent or not a slot number.
CapSlot environment_slot(lib::StringView name);

// The console capability: the one use_console() set, else the one the environment names
// (MNOS_CONSOLE=<slot>), else none.
CapSlot console_slot();
// A process that finds its console itself (the shell looks it up by name) says where it is.
void use_console(CapSlot slot);

// All of `text` to the console, or to the debug log without one. Errors: the console's.
lib::Result<void> write_output(lib::StringView text);

// Up to `capacity` bytes of the next line typed (it ends with '\n' unless ctrl-D ended it);
// 0 at the end of input. NotFound without a console.
lib::Result<size_t> read_input(char* buffer, size_t capacity);

} // namespace mnos
