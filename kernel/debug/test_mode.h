// Test mode: selected by `test=<suite>` on the kernel command line. The kernel then runs that
// self-test suite and exits QEMU through the isa-debug-exit device with the result, which
// tools/run-qemu returns as its own exit status.
#pragma once

#include <cstdint>

#include "lib/string_view.h"

namespace kernel::test {

// Guest exit codes; keep in step with tools/run-qemu and docs/testing.md.
enum class ExitCode : uint8_t { Success = 0, Failure = 1, Panic = 3 };

void init(lib::StringView command_line);
bool active();
lib::StringView suite();

// Ends the QEMU run. Outside test mode the debug-exit port may not exist, so this halts.
[[noreturn]] void exit(ExitCode code);

} // namespace kernel::test
