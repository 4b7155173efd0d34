// Multiboot2 entry: GRUB enters here in 32-bit protected mode with paging off, EAX holding the
// Multiboot2 magic and EBX the physical address of the boot information. This stub builds
// temporary page tables, enters long mode and jumps to the higher-half kernel.
//
// Boot page tables (all with 2 MiB pages, replaced by the kernel's own once memory management runs):
//   PML4[0]   -> identity map of physical 0..4 GiB  (this stub keeps running after paging is on)
//   PML4[256] -> the same 4 GiB at the HHDM base 0xffff800000000000 (boot info, framebuffer)
//   PML4[511] -> physical 0..2 GiB at 0xffffffff80000000 (the kernel image)

#define MB2_MAGIC        0xe85250d6
#define MB2_ARCH_I386    0
#define MB2_BOOT_MAGIC   0x36d76289
#define KERNEL_VMA       0xffffffff80000000
#define PAGE_PRESENT_RW  0x3
#define PAGE_LARGE       0x80
#define COM1             0x3f8

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    // Framebuffer request (tag 5): without it GRUB under UEFI gives the kernel no console.
    // Flag 1 = optional, so a machine without graphics still boots with serial output.
    .balign 8
    .short 5, 1
    .long 20
    .long 1024, 768, 32
    .balign 8
    .short 0, 0            // end tag
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov %eax, %edi                 // keep magic and info pointer in registers the
    mov %ebx, %esi                 // 64-bit kernel entry receives as its arguments
    mov $boot_stack_top, %esp

    cmp $MB2_BOOT_MAGIC, %edi
    jne .Lno_multiboot

    // Long mode present? CPUID 0x80000001 EDX bit 29.
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lno_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz .Lno_long_mode

    // Four page directories of 2 MiB pages covering physical 0..4 GiB.
    mov $boot_pd, %ebx
    xor %ecx, %ecx                 // entry index 0..2047
1:  mov %ecx, %eax
    shl $21, %eax                  // low 32 bits of the physical address (wraps to 0 past 4 GiB)
    or $(PAGE_PRESENT_RW | PAGE_LARGE), %eax
    mov %ecx, %edx
    shr $11, %edx                  // bits 32+ of the address: index * 2 MiB >> 32
    mov %eax, (%ebx, %ecx, 8)
    mov %edx, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jne 1b

    // The low PDPT points at the four directories.
    mov $boot_pdpt_low, %ebx
    mov $boot_pd, %eax
    or $PAGE_PRESENT_RW, %eax
    xor %ecx, %ecx
2:  mov %eax, (%ebx, %ecx, 8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jne 2b

    // The high PDPT: entries 510 and 511 map 0xffffffff80000000.. onto physical 0..2 GiB.
    mov $boot_pdpt_high, %ebx
    mov $boot_pd, %eax
    or $PAGE_PRESENT_RW, %eax
    mov %eax, 510*8(%ebx)
    add $4096, %eax
    mov %eax, 511*8(%ebx)

    mov $boot_pml4, %ebx
    mov $boot_pdpt_low, %eax
    or $PAGE_PRESENT_RW, %eax
    mov %eax, 0(%ebx)
    mov %eax, 256*8(%ebx)
    mov $boot_pdpt_high, %eax
    or $PAGE_PRESENT_RW, %eax
    mov %eax, 511*8(%ebx)

    // CR4.PAE, CR3, EFER.LME and EFER.NXE (NX bits are used once the kernel remaps itself),
    // then CR0.PG with CR0.WP so the kernel cannot write through read-only mappings either.
    mov %cr4, %eax
    or $(1 << 5), %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax
    mov %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $0x08, $long_mode_entry

.Lno_multiboot:
    mov $msg_no_multiboot, %esi
    jmp .Lfail
.Lno_long_mode:
    mov $msg_no_long_mode, %esi
.Lfail:
    // Without long mode there is no kernel to report through: write straight to COM1.
    mov $COM1, %dx
3:  lodsb
    test %al, %al
    jz 4f
    out %al, %dx
    jmp 3b
4:  hlt
    jmp 4b

    .code64
long_mode_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    // Register upper halves are undefined after the mode switch: writing the 32-bit halves
    // zero-extends them into clean 64-bit arguments.
    mov %edi, %edi
    mov %esi, %esi
    movabs $kernel_entry64, %rax
    jmp *%rax

    .section .boot.rodata, "a"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff       // 0x08: 64-bit code, DPL 0
    .quad 0x00cf92000000ffff       // 0x10: data, DPL 0
boot_gdt_end:
boot_gdt_pointer:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt
msg_no_multiboot:
    .asciz "MinimalOS: not started by a Multiboot2 loader\r\n"
msg_no_long_mode:
    .asciz "MinimalOS: this CPU has no 64-bit long mode\r\n"

    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
    .skip 4096
boot_stack_top:

// The higher-half entry: zero .bss, take the kernel's boot stack and call kernel_main.
    .section .text
    .code64
    .global kernel_entry64
kernel_entry64:
    mov %rdi, %r12                 // callee-saved across the rep stosb below
    mov %rsi, %r13
    movabs $__bss_start, %rdi
    movabs $__bss_end, %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb                      // the stack below lives in .bss: nothing is on it yet
    movabs $boot_kernel_stack_top, %rsp
    xor %ebp, %ebp                 // terminates the frame-pointer chain for backtraces
    mov %r12, %rdi
    mov %r13, %rsi
    call kernel_main
5:  cli
    hlt
    jmp 5b

    .section .bss
    .balign 16
    .global boot_kernel_stack_bottom
boot_kernel_stack_bottom:
    .skip 64 * 1024
boot_kernel_stack_top:

    .section .note.GNU-stack, "", @progbits
