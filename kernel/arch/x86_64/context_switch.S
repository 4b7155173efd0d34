// void switch_context(uint64_t* save_rsp, uint64_t load_rsp)
//
// Saves the callee-saved registers of the running thread on its own stack, stores its stack
// pointer through save_rsp, loads load_rsp and restores the next thread's callee-saved registers.
// The caller-saved registers need no saving: to the compiler this is an ordinary call.
// Runs with interrupts disabled (scheduler contract), so nothing observes a half-switched CPU.
#include "kernel/arch/x86_64/switch_context.inc"

    .text
    .global switch_context
switch_context:
    SAVE_SWITCHED_OUT
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

// A new thread's first "return" from switch_context lands here with the Thread* in r12 (placed
// in its initial frame by Thread::create). RBP is zero, which ends backtraces at this frame.
    .global thread_start
thread_start:
    mov %r12, %rdi
    call thread_first_run          // never returns
    ud2

    .section .note.GNU-stack, "", @progbits
