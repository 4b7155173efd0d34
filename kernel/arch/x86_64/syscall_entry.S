// SYSCALL entry. The CPU arrives here in Ring 0 with RCX = user RIP, R11 = user RFLAGS, IF, DF,
// TF and AC cleared by SFMASK, and RSP still the user's: nothing may touch the stack before the
// switch. GS still holds the user's base, hence the swapgs first.
//
// The frame built on the thread's kernel stack is kernel::syscall::SyscallFrame. It holds only
// what must be saved: the registers the C++ side reads as arguments or writes as results (RAX,
// RDI, RSI, RDX, R10, R8, R9, R12, R13; RDI comes back unchanged, as the ABI promises), and the
// user RIP, RFLAGS and RSP for SYSRET. RBX, RBP, R14 and R15 are callee-saved in the C++ ABI:
// syscall_dispatch and everything it calls give them back as they found them, so the ordinary
// exit skips their copies. They are in the frame all the same, below the rest, for the one exit
// that does not come back through C++: a thread the IPC fast path resumes straight into Ring 3
// (syscall_resume_user below) leaves its kernel frames behind, and with them wherever the
// compiler kept those four. RBP is left the user's: the backtracer stops at a frame pointer
// outside the kernel stack's bounds.
//
// SYSRET to a non-canonical RIP would raise #GP in Ring 0 on the user's stack (the SYSRET
// hazard). The saved RIP came from RCX, which SYSCALL always fills with a canonical address,
// and syscall_dispatch ends the process before returning should the frame's RIP ever be
// otherwise, so the exit needs no check of its own.

// A number no call has is refused here, once the frame is saved, without entering C++: the
// shortest round trip through the kernel. Interrupts stay off from SYSCALL to SYSRET on that
// way, so nothing can happen to the thread meanwhile; a kill that another CPU asks for
// arrives as an IPI right after SYSRET, and the interrupt's way back to Ring 3 ends the thread
// (interrupt_dispatch.cpp), as it would have ended it at this syscall's exit.

#include "kernel/arch/x86_64/switch_context.inc"
#include "kernel/arch/x86_64/syscall_entry_constants.h"

#define GS_SYSCALL_STACK 16
#define GS_USER_RSP 24

    .text
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:GS_USER_RSP
    mov %gs:GS_SYSCALL_STACK, %rsp
    pushq %gs:GS_USER_RSP
    push %r11                      // user RFLAGS
    push %rcx                      // user RIP
    push %rax
    push %rdi
    push %rsi
    push %rdx
    push %r10
    push %r8
    push %r9
    push %r12
    push %r13
    cmp $SYSCALL_ENTRY_COUNT, %rax
    jae .Lno_such_call
    push %rbx
    push %rbp
    push %r14
    push %r15
    mov %rsp, %rdi
    call syscall_dispatch          // with interrupts still off: it enables them (dispatch.cpp)
    cli                            // from here to SYSRET nothing may interrupt half-restored state
    add $SYSCALL_ENTRY_CALLEE_SAVED, %rsp // C++ gave RBX, RBP, R14, R15 back as they were
.Lexit:
    pop %r13
    pop %r12
    pop %r9
    pop %r8
    pop %r10
    pop %rdx
    pop %rsi
    pop %rdi
    pop %rax
    pop %rcx                       // user RIP
    pop %r11                       // user RFLAGS
    pop %rsp                       // user RSP: the kernel stack is not used again until entry
    swapgs
    sysretq
.Lno_such_call:
    // The callee-saved four are not pushed on this way: RSP is the frame's r13.
    movq $SYSCALL_ENTRY_INVALID_RESULT, SYSCALL_ENTRY_FRAME_RAX - SYSCALL_ENTRY_CALLEE_SAVED(%rsp)
    jmp .Lexit

// void switch_to_user_frame(uint64_t* save_rsp, SyscallFrame* frame)
//
// The IPC fast path's switch to a partner that is parked in the fast path itself
// (sched::switch_to_claimed_user): saves the running thread exactly as switch_context does, so
// either kind of switch may resume it later, then takes the partner's kernel stack at its
// syscall frame, which already holds the call's outcome, and leaves through the syscall exit.
// The partner's kernel frames above the syscall frame are abandoned: everything they would still
// have done after their switch_context returned was done for them by the thread switching here
// (kernel/ipc/fastpath.cpp), except the incoming half of the switch and the check every
// syscall's exit makes, which syscall_resume_user does on the partner's stack. RSP = frame is
// 16-byte aligned (the frame is the stack's top 16 words), as at syscall_entry's call.
// Interrupts are off throughout, as for switch_context.
    .global switch_to_user_frame
switch_to_user_frame:
    SAVE_SWITCHED_OUT
    mov %rsi, %rsp
    call syscall_resume_user
    pop %r15                       // the user's four, saved at its entry
    pop %r14
    pop %rbp
    pop %rbx
    jmp .Lexit

#define USER_CS 0x2b
#define USER_SS 0x23

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
