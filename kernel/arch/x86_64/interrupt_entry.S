// Interrupt and exception entry. Every IDT gate points at one 16-byte stub in interrupt_stubs;
// stub N pushes a zero error code when the CPU pushes none for vector N (so every frame has the
// same shape), pushes N, and jumps to interrupt_common, which saves the general-purpose
// registers as an InterruptFrame (interrupt_frame.h) and calls interrupt_dispatch(frame).
//
// GS: the kernel's GS base points at the CPU's per-CPU block. Coming from Ring 3 the user's GS
// base is loaded instead, so the stub swaps them (swapgs) on entry and again before iretq when,
// and only when, the interrupted CS has RPL 3. Coming from Ring 0 the kernel's is already live.
//
// The kernel has no SSE and the compiler is told so; nothing here saves FPU state (user FPU
// state is the scheduler's, at context switches).

#define STUB_SIZE 16
#define FRAME_VECTOR 0   // offsets from RSP on entry to interrupt_common
#define FRAME_CS 24

    .section .text
    .code64

    .balign STUB_SIZE
    .global interrupt_stubs
interrupt_stubs:
    .set vector, 0
    .rept 256
    // Vectors with a CPU error code (SDM Table 6-1): 8, 10-14, 17, 21, 29, 30.
    .if !((vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17) || \
          (vector == 21) || (vector == 29) || (vector == 30))
    pushq $0
    .endif
    pushq $vector
    jmp interrupt_common
    // Pads the slot with int3; the assembler fails (".org" moving backwards) if a stub outgrew
    // it, since idt.cpp computes stub N as interrupt_stubs + N * STUB_SIZE.
    .org interrupt_stubs + (vector + 1) * STUB_SIZE, 0xcc
    .set vector, vector + 1
    .endr

interrupt_common:
    testb $3, FRAME_CS(%rsp)       // RPL of the interrupted CS: 0 means we came from the kernel
    jz 1f
    swapgs
1:  pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld                            // the ABI requires DF = 0 at calls
    // AC off: interrupt gates keep the interrupted RFLAGS.AC, and a Ring 3 program may have set
    // it, which would lift SMAP for the handler (protection.h). POPFQ rather than CLAC, which
    // is #UD on CPUs without SMAP; IF is restored unchanged (still clear from the gate).
    pushfq
    andq $~(1 << 18), (%rsp)
    popfq
    mov %rsp, %rdi                 // InterruptFrame*
    // A fake call frame [interrupted rbp][interrupted rip] so a backtrace taken inside a
    // handler continues into the interrupted code. 22 + 2 words keep RSP 16-byte aligned.
    pushq 17*8(%rsp)               // the interrupted RIP (frame->rip)
    pushq %rbp
    mov %rsp, %rbp
    call interrupt_dispatch
    add $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    testb $3, FRAME_CS(%rsp)       // returning to Ring 3: put the user's GS base back
    jz 2f
    swapgs
2:  add $16, %rsp                  // drop vector and error code
    iretq

    .section .note.GNU-stack, "", @progbits
