// The registry of self-test suites and the suites that need no subsystem of their own.
#include "kernel/debug/panic.h"
#include "kernel/debug/symbols.h"
#include "kernel/debug/test_mode.h"
#include "kernel/test/self_test.h"
#include "kernel/test/suites.h"

extern "C" void kernel_main(uint32_t, uint64_t);

namespace kernel::test {

namespace {

// boot: the phases all ran (the runner is only reached after phase 5) and the kernel can read
// its own symbol table, which every backtrace relies on.
void boot_suite(Context& ctx) {
    auto symbol = symbols::lookup(reinterpret_cast<uint64_t>(&kernel_main) + 1);
    EXPECT(ctx, symbol.has_value());
    EXPECT(ctx, symbol && symbol->name == lib::StringView("kernel_main"));
    EXPECT(ctx, symbol && symbol->offset == 1);
}

// panic: a deliberate panic two calls deep, so the test sees a message, a location and a
// backtrace that names these functions. noinline keeps the frames real.
[[gnu::noinline]] void panic_inner(int depth) {
    PANIC("deliberate test panic (depth {})", depth);
}

[[gnu::noinline]] void panic_outer() {
    panic_inner(2);
    asm volatile(""); // keeps the call from becoming a tail jump, which would drop this frame
}

void panic_suite(Context&) { panic_outer(); }

constexpr Suite SUITES[] = {
    {"boot", boot_suite},
    {"panic", panic_suite},
    {"memory", memory_suite},
    {"timer", timer_suite},
    {"exceptions", exceptions_suite},
    {"double-fault", double_fault_suite},
    {"serial-irq", serial_irq_suite},
    {"isa-override", isa_override_suite},
    {"nmi", nmi_suite},
    {"sched", sched_suite},
    {"userspace", userspace_suite},
    {"lifecycle", lifecycle_suite},
    {"init", init_suite},
    {"ipc", ipc_suite},
    {"ipc-fastpath", ipc_fastpath_suite},
    {"ipc-mixed", ipc_mixed_suite},
    {"bench", bench_suite},
    {"bench-smp", bench_smp_suite},
    {"lock-order", lock_order_suite},
};

} // namespace

} // namespace kernel::test

namespace kernel::test_mode {

void run_selected_suite() {
    using test::Context;
    lib::StringView name = suite();
    for (const test::Suite& s : test::SUITES) {
        if (name != lib::StringView(s.name))
            continue;
        Context ctx;
        kprintln(LogColour::Heading, "selftest {}: running", name);
        s.run(ctx);
        bool ok = ctx.failed() == 0 && ctx.passed() > 0;
        kprintln(ok ? LogColour::Good : LogColour::Error, "selftest {}: {} passed, {} failed", name,
                 ctx.passed(), ctx.failed());
        exit(ok ? ExitCode::Success : ExitCode::Failure);
    }
    kprintln(LogColour::Error, "selftest: no suite named '{}'", name);
    exit(ExitCode::Failure);
}

} // namespace kernel::test_mode
