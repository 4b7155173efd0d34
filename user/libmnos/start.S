// Process entry. The kernel starts a program at _start with RSP at the SysV initial stack:
// [argc][argv pointers...][0][envp pointers...][0]. mnos_start(argc, argv) runs the program.
    .section .text.start, "ax"
    .global _start
_start:
    xor %ebp, %ebp          // ends the frame chain
    mov (%rsp), %rdi        // argc
    lea 8(%rsp), %rsi       // argv
    and $-16, %rsp          // the ABI's call alignment
    call mnos_start
    ud2                     // mnos_start never returns

    .section .note.GNU-stack, "", @progbits
