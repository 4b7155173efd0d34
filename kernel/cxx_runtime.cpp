// The few pieces of the C++ runtime a freestanding kernel needs: global constructors, a pure
// virtual call trap, the stack protector's guard, and atexit registration (a kernel never
// exits, so destructors of globals never run).
#include <cstdint>
#include <new>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/debug/panic.h"

extern "C" {

using Constructor = void (*)();
extern const Constructor __init_array_start[];
extern const Constructor __init_array_end[];

// The guard starts with a fixed value (constructors run before any entropy is read) and is
// re-seeded from the TSC before the first function that uses it returns; see kernel_main.
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766;

[[noreturn]] void __stack_chk_fail() { PANIC("stack smashing detected"); }

[[noreturn]] void __cxa_pure_virtual() { PANIC("pure virtual function called"); }

int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

void* __dso_handle = nullptr;

} // extern "C"

// The tag object for `new (std::nothrow)`; libsupc++ would define it, but the kernel links none.
const std::nothrow_t std::nothrow{};

namespace kernel {

void run_global_constructors() {
    for (const Constructor* c = __init_array_start; c != __init_array_end; ++c)
        (*c)();
}

} // namespace kernel
