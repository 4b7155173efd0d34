// The C++ runtime pieces every Ring 3 program needs, and the bridge from _start to main().
#include <cstdint>
#include <new>

#include "user/libmnos/assert.h"
#include "user/libmnos/print.h"
#include "user/libmnos/syscall.h"

int main(int argc, char** argv); // the program's, with C++ linkage as usual

extern "C" {

using Constructor = void (*)();
extern const Constructor __init_array_start[];
extern const Constructor __init_array_end[];

uintptr_t __stack_chk_guard = 0x2f8e6c5a1d3b7940;

[[noreturn]] void __stack_chk_fail() {
    static const char message[] = "stack smashing detected\n";
    mnos::sys::debug_log(message, sizeof message - 1);
    mnos::sys::exit(127);
}

[[noreturn]] void __cxa_pure_virtual() {
    static const char message[] = "pure virtual function called\n";
    mnos::sys::debug_log(message, sizeof message - 1);
    mnos::sys::exit(127);
}

int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle = nullptr;

const char* const* mnos_environment = nullptr;

[[noreturn]] void mnos_start(int argc, char** argv) {
    // The initial stack (lib/initial_stack.h) has the environment right after argv's null.
    mnos_environment = argv + argc + 1;
    for (const Constructor* c = __init_array_start; c != __init_array_end; ++c)
        (*c)();
    mnos::sys::exit(main(argc, argv));
}

} // extern "C"

const std::nothrow_t std::nothrow{};

namespace mnos {

constexpr int ABORT_CODE = 134;

[[noreturn]] void panic(const char* message) {
    println("abort: {}", message);
    sys::exit(ABORT_CODE);
}

[[noreturn]] void assertion_failed(const char* condition, const char* file, int line) {
    println("assertion failed: {} ({}:{})", condition, file, line);
    sys::exit(ABORT_CODE);
}

} // namespace mnos

extern "C" [[noreturn]] void abort() noexcept { mnos::panic("abort() called"); }
