// Ring 3 processes: creating one from an ELF program in the initrd, adding threads to it, and
// ending it. The process owns its AddressSpace (user half) and CNode; its threads enter Ring 3
// through IRETQ the first time they run.
#pragma once

#include <span>

#include "kernel/sched/process.h"
#include "kernel/sched/thread.h"
#include "lib/address.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace kernel::sched {

// Loads initrd path `path` (lib/elf.h validates it), maps a user stack with an unmapped guard
// page below it, lays out argv there, and starts the main thread. Malformed, NotFound,
// OutOfMemory... on failure, with nothing left behind.
lib::Result<lib::RefPtr<Process>> spawn_program(lib::StringView path,
                                                std::span<const char* const> argv);

// A new thread in `process` that enters Ring 3 at `entry` with RSP = `stack_top` and RDI =
// `argument`; returns its id (not the Thread: a thread that faults at once may be gone before
// the caller looks). Both addresses must be in the user half (BadAddress otherwise).
lib::Result<uint64_t> spawn_user_thread(Process& process, lib::VirtAddr entry,
                                       lib::VirtAddr stack_top, uint64_t argument);

// Ends every thread of `process` (the caller's last among them) with exit code `code`; the
// process's memory and capabilities go once its last thread is gone.
[[noreturn]] void exit_current_process(int code);

} // namespace kernel::sched
