// The self-tests start Ring 3 programs themselves, to watch what the kernel does with them
// (frames, stacks, exit states) without init in between. The shipped kernel never looks inside
// the initrd: only this test code does.
#pragma once

#include <span>

#include "kernel/object/process.h"
#include "kernel/sched/user_process.h"
#include "lib/string_view.h"

namespace kernel::test {

// Loads initrd program `path` ("/bin/true") with `argv`, charged to the root budget. NotFound
// when the initrd has no such program. `prepare` fills its CNode before it runs, and `cpu` pins
// its main thread (user_process.h).
lib::Result<lib::RefPtr<object::Process>> spawn_test_program(lib::StringView path,
                                                             std::span<const char* const> argv,
                                                             sched::Prepare prepare = nullptr,
                                                             uint32_t cpu = object::ANY_CPU);

} // namespace kernel::test
