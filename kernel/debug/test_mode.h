// Test mode: selected by `test=<suite>` on the kernel command line. The kernel then runs that
// self-test suite and exits QEMU through the isa-debug-exit device with the result, which
// tools/run-qemu returns as its own exit status (a panic in test mode exits too).
//
// The suites themselves are not part of every kernel: run_selected_suite() is defined by the
// test kernel's kernel/test/suites.cpp, and by kernel/debug/no_self_tests.cpp in the shipped
// kernel, where every suite name is unknown (the run fails, as a mistyped name does).
#pragma once

#include <cstdint>

#include "lib/string_view.h"

namespace kernel::test_mode {

// Guest exit codes; keep in step with tools/run-qemu and docs/testing.md.
enum class ExitCode : uint8_t { Success = 0, Failure = 1, Panic = 3 };

void init(lib::StringView command_line);
bool active();
lib::StringView suite();

// Ends the QEMU run. Outside test mode the debug-exit port may not exist, so this halts.
[[noreturn]] void exit(ExitCode code);

// Runs the suite named on the command line and exits QEMU; an unknown name fails the run.
[[noreturn]] void run_selected_suite();

} // namespace kernel::test_mode
