#include "kernel/arch/x86_64/per_cpu.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/msr.h"
#include "kernel/debug/panic.h"
#include "kernel/mm/memory.h"

namespace kernel::x86_64 {

namespace {

CpuArch g_cpus[MAX_CPUS];

struct [[gnu::packed]] DescriptorTablePointer {
    uint16_t limit;
    uint64_t base;
};

void build_gdt(CpuArch& cpu) {
    uint64_t* gdt = cpu.gdt;
    gdt[selector::NULL_SELECTOR / 8] = 0;
    gdt[selector::KERNEL_CODE / 8] = segment_descriptor(SegmentKind::Code64, 0);
    gdt[selector::KERNEL_DATA / 8] = segment_descriptor(SegmentKind::Data, 0);
    gdt[selector::USER_CODE32 / 8] = segment_descriptor(SegmentKind::Code32, 3);
    gdt[selector::USER_DATA / 8] = segment_descriptor(SegmentKind::Data, 3);
    gdt[selector::USER_CODE / 8] = segment_descriptor(SegmentKind::Code64, 3);
    SystemDescriptor tss = tss_descriptor(reinterpret_cast<uint64_t>(&cpu.tss), sizeof(Tss) - 1);
    gdt[selector::TSS / 8] = tss.low;
    gdt[selector::TSS / 8 + 1] = tss.high;
}

void load_gdt_and_tss(CpuArch& cpu) {
    DescriptorTablePointer pointer{uint16_t(sizeof cpu.gdt - 1),
                                   reinterpret_cast<uint64_t>(cpu.gdt)};
    // lgdt reads the pointer from memory ("m"); the GDT it names lives in g_cpus forever.
    asm volatile("lgdt %0" : : "m"(pointer) : "memory");
    // CS can only be reloaded by a far transfer: lretq pops RIP then CS, landing on the next
    // instruction with the new kernel code selector. Data selectors then follow. FS and GS are
    // left alone: their bases are set through MSRs, and reloading GS would clobber its base.
    asm volatile("pushq %[cs]\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "mov %[ds], %%ds\n\t"
                 "mov %[ds], %%es\n\t"
                 "mov %[ds], %%ss"
                 :
                 : [cs] "i"(selector::KERNEL_CODE), [ds] "r"(uint32_t(selector::KERNEL_DATA))
                 : "rax", "memory");
    // ltr marks the TSS descriptor busy and loads TR from the GDT just installed.
    asm volatile("ltr %w0" : : "r"(uint32_t(selector::TSS)) : "memory");
}

} // namespace

CpuArch& cpu_arch(unsigned index) {
    ASSERT(index < MAX_CPUS);
    return g_cpus[index];
}

void init_cpu(unsigned index, uint32_t apic_id) {
    CpuArch& cpu = cpu_arch(index);
    cpu.self = &cpu;
    cpu.index = index;
    cpu.apic_id = apic_id;
    // Kernel GS base: this CPU's block, before anything that takes a lock (the IST stacks below
    // allocate), so the lock-rank checker always finds the CPU's record. The other half of
    // swapgs starts as 0, the user's.
    cpu::wrmsr(msr::GS_BASE, reinterpret_cast<uint64_t>(&cpu));
    cpu::wrmsr(msr::KERNEL_GS_BASE, 0);
    lock_rank::start_checking();
    for (unsigned i = 0; i < IST_COUNT; ++i) {
        auto stack = mm::allocate_kernel_stack(); // guarded: an overflow faults
        if (!stack)
            PANIC("cpu {}: no memory for IST stack {}: {}", index, i + 1,
                  mnos::error_name(stack.error()));
        cpu.tss.ist[i] = stack->top.value(); // ist[0] is IST1
        cpu.ist_bottom[i] = stack->bottom.value();
    }
    build_gdt(cpu);
    load_gdt_and_tss(cpu);
}

} // namespace kernel::x86_64
