// init, the one program the kernel starts (boot phase 5; docs/init.md): the ELF image GRUB
// loaded as the boot module "init", given every root capability (abi/init.h) and the kernel
// command line as its arguments. init builds the rest of the system in Ring 3.
#pragma once

#include "kernel/boot/boot_info.h"
#include "kernel/object/process.h"

namespace kernel {

// Starts init unless the command line says init=none (in test mode, only with init=start, so a
// self-test suite runs alone). A missing or malformed module is logged and leaves no init.
void start_init(const BootInfo& info);

// Null when no init was started.
object::Process* init_process();

// The root memory budget: all of physical memory, which init receives (and the kernel's
// self-tests draw on when they start programs themselves). Created in boot phase 5.
object::MemoryBudget& root_budget();

} // namespace kernel
