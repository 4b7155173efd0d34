// abort() and MNOS_ASSERT: end the program with a message on the log (exit code 134, as a
// SIGABRT would give on Unix), never silently.
#pragma once

extern "C" [[noreturn]] void abort() noexcept;

namespace mnos {
[[noreturn]] void panic(const char* message);
[[noreturn]] void assertion_failed(const char* condition, const char* file, int line);
} // namespace mnos

#define MNOS_ASSERT(condition)                                                   \
    do {                                                                         \
        if (!(condition))                                                        \
            ::mnos::assertion_failed(#condition, __FILE__, __LINE__);            \
    } while (false)
