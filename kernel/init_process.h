// The first Ring 3 program, started in boot phase 5 (init=PATH on the command line), for the
// test suite that waits for it (test=init).
#pragma once

#include "kernel/object/process.h"

namespace kernel {

// Null when no init program was started (init=none, or it failed to load).
object::Process* init_process();

// The root memory budget: all of physical memory, which init receives (and the kernel's
// self-tests draw on when they start programs themselves). Created in boot phase 5.
object::MemoryBudget& root_budget();

} // namespace kernel
