// SYSCALL entry. The CPU arrives here in Ring 0 with RCX = user RIP, R11 = user RFLAGS, IF, DF,
// TF and AC cleared by SFMASK, and RSP still the user's: nothing may touch the stack before the
// switch. GS still holds the user's base, hence the swapgs first.
//
// The frame built on the thread's kernel stack is kernel::syscall::SyscallFrame; its tail is an
// IRETQ frame (RIP, CS, RFLAGS, RSP, SS). The normal exit is SYSRET. SYSRET to a non-canonical
// RIP would raise #GP in Ring 0 on the user's stack (the SYSRET hazard), so such a return goes
// through IRETQ instead, whose #GP is taken on the kernel stack and reported like any fault.

#define USER_CS 0x2b
#define USER_SS 0x23
#define GS_SYSCALL_STACK 16
#define GS_USER_RSP 24
#define FRAME_USER_RIP (13 * 8)

// Restores what the entry pushed below the IRETQ frame, in reverse order.
.macro POP_SAVED_REGISTERS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    pop %r9
    pop %r8
    pop %r10
    pop %rdx
    pop %rsi
    pop %rdi
    pop %rax
.endm

    .text
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:GS_USER_RSP
    mov %gs:GS_SYSCALL_STACK, %rsp
    pushq $USER_SS
    pushq %gs:GS_USER_RSP
    push %r11                      // user RFLAGS
    pushq $USER_CS
    push %rcx                      // user RIP
    push %rax
    push %rdi
    push %rsi
    push %rdx
    push %r10
    push %r8
    push %r9
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    xor %ebp, %ebp                 // the backtrace ends here, not in user frames
    mov %rsp, %rdi
    sti                            // a long syscall must not hold off the timer
    call syscall_dispatch
    cli                            // from here to SYSRET nothing may interrupt half-restored state

    // Canonical means bits 63..47 all equal: shifting left 16 and back arithmetically is the
    // identity exactly then.
    mov FRAME_USER_RIP(%rsp), %rcx
    mov %rcx, %r11
    shl $16, %r11
    sar $16, %r11
    cmp %rcx, %r11
    jne .Lreturn_with_iret

    POP_SAVED_REGISTERS
    pop %rcx                       // user RIP
    add $8, %rsp                   // CS
    pop %r11                       // user RFLAGS
    pop %rsp                       // user RSP: the kernel stack is not used again until entry
    swapgs
    sysretq

.Lreturn_with_iret:
    POP_SAVED_REGISTERS
    swapgs
    iretq

// A new user thread's first entry to Ring 3: RDI = RIP, RSI = RSP, RDX = the argument (into
// RDI). Every other register is cleared so no kernel value leaks to user mode.
    .global enter_user_mode
enter_user_mode:
    cli
    pushq $USER_SS
    push %rsi
    pushq $0x202                   // IF set, reserved bit 1
    pushq $USER_CS
    push %rdi
    mov %rdx, %rdi
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    swapgs
    iretq

    .section .note.GNU-stack, "", @progbits
