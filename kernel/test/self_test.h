// Kernel self-test suites, run in test mode (`test=<suite>` on the command line). A suite checks
// conditions with EXPECT; the runner prints "selftest <suite>: N passed, N failed" and exits
// QEMU with success only when nothing failed.
#pragma once

#include "kernel/debug/log.h"
#include "lib/string_view.h"

namespace kernel::test {

class Context {
public:
    void check(bool ok, const char* what, const char* file, int line) {
        if (ok) {
            ++m_passed;
            return;
        }
        ++m_failed;
        kprintln(LogColour::Error, "selftest: FAILED {} at {}:{}", what, file, line);
    }
    unsigned passed() const { return m_passed; }
    unsigned failed() const { return m_failed; }

private:
    unsigned m_passed = 0, m_failed = 0;
};

struct Suite {
    const char* name;
    void (*run)(Context&);
};

} // namespace kernel::test

#define EXPECT(ctx, condition) (ctx).check(bool(condition), #condition, __FILE__, __LINE__)
