#include "kernel/debug/panic.h"

#include <atomic>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/debug/backtrace.h"
#include "kernel/debug/log.h"
#include "kernel/sync/lock_rank.h"
#include "kernel/debug/test_mode.h"

namespace kernel {

namespace {

std::atomic<bool> g_panicking{false};

// Captures the caller-visible registers. Inlined into panic_with_message, so rbp/rsp are that
// function's frame; the asm only stores registers into the snapshot it is handed.
[[gnu::always_inline]] inline void capture(RegisterSnapshot& r) {
    asm volatile("mov %%rax, 0(%0)\n\t"
                 "mov %%rbx, 8(%0)\n\t"
                 "mov %%rcx, 16(%0)\n\t"
                 "mov %%rdx, 24(%0)\n\t"
                 "mov %%rsi, 32(%0)\n\t"
                 "mov %%rdi, 40(%0)\n\t"
                 "mov %%rbp, 48(%0)\n\t"
                 "mov %%rsp, 56(%0)\n\t"
                 "mov %%r8, 64(%0)\n\t"
                 "mov %%r9, 72(%0)\n\t"
                 "mov %%r10, 80(%0)\n\t"
                 "mov %%r11, 88(%0)\n\t"
                 "mov %%r12, 96(%0)\n\t"
                 "mov %%r13, 104(%0)\n\t"
                 "mov %%r14, 112(%0)\n\t"
                 "mov %%r15, 120(%0)\n\t"
                 :
                 : "r"(&r)
                 : "memory");
    r.rip = reinterpret_cast<uint64_t>(__builtin_return_address(0));
    r.rflags = cpu::read_rflags();
    r.cr0 = cpu::read_cr0();
    r.cr2 = cpu::read_cr2();
    r.cr3 = cpu::read_cr3();
    r.cr4 = cpu::read_cr4();
}

void print_registers(const RegisterSnapshot& r) {
    kprintln("registers:");
    kprintln("  rax={:016x} rbx={:016x} rcx={:016x} rdx={:016x}", r.rax, r.rbx, r.rcx, r.rdx);
    kprintln("  rsi={:016x} rdi={:016x} rbp={:016x} rsp={:016x}", r.rsi, r.rdi, r.rbp, r.rsp);
    kprintln("  r8 ={:016x} r9 ={:016x} r10={:016x} r11={:016x}", r.r8, r.r9, r.r10, r.r11);
    kprintln("  r12={:016x} r13={:016x} r14={:016x} r15={:016x}", r.r12, r.r13, r.r14, r.r15);
    kprintln("  rip={:016x} rflags={:016x}", r.rip, r.rflags);
    kprintln("  cr0={:016x} cr2={:016x} cr3={:016x} cr4={:016x}", r.cr0, r.cr2, r.cr3, r.cr4);
}

} // namespace

void panic_with_message(const SourceLocation& where, lib::StringView message,
                        const RegisterSnapshot* registers) {
    cpu::disable_interrupts();
    if (g_panicking.exchange(true)) // a panic while panicking: reporting again could loop
        cpu::halt_forever();
    RegisterSnapshot here;
    capture(here);
    const RegisterSnapshot& r = registers ? *registers : here;

    log::break_lock_for_panic();
    lock_rank::stop_checking(); // the report must not trip over the locks the panic broke through
    kprintln(LogColour::Error, "KERNEL PANIC: {}", message);
    kprintln(LogColour::Error, "  at {}:{} in {}", where.file, where.line, where.function);
    print_registers(r);
    // Without a snapshot, #0 is our return address and the walk starts at our caller's frame.
    // -Wframe-address warns that a frame above our own may not exist; here it does, since the
    // kernel keeps frame pointers (-fno-omit-frame-pointer) and we were called by someone.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wframe-address"
    uint64_t caller_frame = reinterpret_cast<uint64_t>(__builtin_frame_address(1));
#pragma clang diagnostic pop
    print_backtrace(r.rip, registers ? r.rbp : caller_frame, current_stack_bounds());
    kprintln(LogColour::Error, "system halted");
    test_mode::exit(test_mode::ExitCode::Panic);
}

} // namespace kernel
