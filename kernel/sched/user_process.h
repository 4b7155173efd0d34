// Ring 3 processes: creating one from an ELF image, adding threads to it, and
// ending it. The process owns its AddressSpace (user half) and CNode; its threads enter Ring 3
// through IRETQ the first time they run.
#pragma once

#include <optional>
#include <span>

#include "kernel/object/process.h"
#include "kernel/object/thread.h"
#include "lib/address.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace kernel::sched {

// Loads the ELF program `image` (lib/elf.h validates it; a refusal is logged with its reason)
// into a new process called `name`, maps a user stack with an unmapped guard page below it,
// lays out argv and envp there, and starts the main thread. Malformed, OutOfMemory... on
// failure, with nothing left behind. Only init is started this way (and, in the test kernel,
// the self-tests' programs): everything else init starts from Ring 3.
// `prepare`, if given, runs on the loaded process before its main thread starts (the kernel
// fills init's CNode there, so it never runs without its capabilities); its error fails the
// spawn. Everything the process is made of is charged to `budget`. With `cpu`, the main thread
// is pinned there (the benchmarks place a client and a server on chosen CPUs).
using Prepare = lib::Result<void> (*)(Process& process);
lib::Result<lib::RefPtr<Process>> spawn_program(lib::StringView name,
                                                std::span<const uint8_t> image,
                                                std::span<const char* const> argv,
                                                std::span<const char* const> envp,
                                                object::MemoryBudget& budget,
                                                Prepare prepare = nullptr,
                                                uint32_t cpu = ANY_CPU);

// A new thread in `process` that enters Ring 3 at `entry` with RSP = `stack_top` and RDI =
// `argument`, charged to the process's budget (OutOfMemory when it does not fit). The reference returned is the caller's (for a capability); the scheduler keeps
// its own. Both addresses must be in the user half (BadAddress otherwise). With `cpu`, the
// thread is pinned there (InvalidArgument if that CPU is not online).
lib::Result<lib::RefPtr<Thread>> spawn_user_thread(Process& process, lib::VirtAddr entry,
                                                   lib::VirtAddr stack_top, uint64_t argument,
                                                   uint32_t cpu = ANY_CPU);

// Ends every thread of the caller's process with exit code `code` (`how` says how the calling
// thread itself ended, for WaitThread: by default it exited with `code`); the process's memory
// and capabilities go once its last thread is gone.
[[noreturn]] void exit_current_process(int code, std::optional<object::ExitState> how = {});

// On the way back to Ring 3 (the end of a syscall, an interrupt from Ring 3): ends `self`, the
// current thread, if it was killed or its process is exiting; otherwise returns. Inline: every
// syscall's exit asks, and almost always the answer is no.
[[noreturn]] void end_asked(Thread& self);
inline bool asked_to_end(const Thread& self) {
    Process* process = self.process;
    return (process && process->exiting.load(std::memory_order_acquire)) || self.kill_requested();
}
inline void end_if_asked(Thread& self) {
    if (asked_to_end(self))
        end_asked(self);
}

} // namespace kernel::sched
