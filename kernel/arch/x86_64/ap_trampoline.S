// Application-processor start-up code. The BSP copies everything between ap_trampoline_start and
// ap_trampoline_end to physical TRAMPOLINE_PHYS (a page below 1 MiB, so a SIPI vector can name
// it), fills in the data block at its end, and sends INIT-SIPI-SIPI. The AP starts here in real
// mode at CS:IP = (TRAMPOLINE_PHYS >> 4):0, goes through protected mode into long mode on the
// kernel's own page tables (the page is identity-mapped while APs start), and jumps to ap_entry
// in the higher half on its own kernel stack.
//
// The code is position-dependent only on TRAMPOLINE_PHYS: every absolute address below is
// computed as TRAMPOLINE_PHYS + (label - ap_trampoline_start).

#define TRAMPOLINE_PHYS 0x8000
#define CLAIM_CLOSED 0
#define CLAIM_OPEN 1
#define CLAIM_TAKEN 2
#define ABS(label) (TRAMPOLINE_PHYS + (label - ap_trampoline_start))

    .section .rodata.ap_trampoline, "a"
    .code16
    .global ap_trampoline_start
ap_trampoline_start:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ds
    lgdtl ABS(ap_gdt_pointer)
    mov %cr0, %eax
    or $1, %eax                     // CR0.PE
    mov %eax, %cr0
    ljmpl $0x08, $ABS(ap_protected)

    .code32
ap_protected:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    // Take this start before anything else: the BSP opens the claim for each start and closes
    // it when it gives up waiting, so an AP that arrives too late parks here instead of running
    // on a stack and CPU index another AP may own. Paging is still off, so the write reaches the
    // data block (later the page is mapped read+execute only).
    mov $CLAIM_OPEN, %eax
    mov $CLAIM_TAKEN, %ecx
    lock cmpxchgl %ecx, ABS(ap_claim)
    jne ap_park
    mov %cr4, %eax
    or $((1 << 5) | (1 << 7)), %eax // PAE, PGE
    mov %eax, %cr4
    mov ABS(ap_cr3), %eax           // the kernel PML4; the BSP checked it lies below 4 GiB
    mov %eax, %cr3
    mov $0xc0000080, %ecx           // EFER: long mode and no-execute, as on the BSP
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax // PG, WP
    mov %eax, %cr0
    ljmpl $0x18, $ABS(ap_long)

ap_park:                            // until INIT, which the BSP sends when it closes the claim
    cli
    hlt
    jmp ap_park

    .code64
ap_long:
    xor %eax, %eax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov ABS(ap_stack_top), %rsp
    xor %ebp, %ebp
    mov ABS(ap_cpu_index), %edi
    mov ABS(ap_entry), %rax
    jmp *%rax

    .balign 8
ap_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        // 0x08: 32-bit code
    .quad 0x00cf92000000ffff        // 0x10: data
    .quad 0x00af9a000000ffff        // 0x18: 64-bit code
ap_gdt_end:
ap_gdt_pointer:
    .short ap_gdt_end - ap_gdt - 1
    .long ABS(ap_gdt)

// The data block the BSP fills in before each start (layout: ApTrampolineData in smp.cpp).
    .balign 8
    .global ap_trampoline_data
ap_trampoline_data:
ap_cr3:        .quad 0
ap_stack_top:  .quad 0
ap_entry:      .quad 0
ap_cpu_index:  .quad 0
ap_claim:      .long 0                 // CLAIM_CLOSED, CLAIM_OPEN or CLAIM_TAKEN
               .long 0
    .global ap_trampoline_end
ap_trampoline_end:

    .section .note.GNU-stack, "", @progbits
