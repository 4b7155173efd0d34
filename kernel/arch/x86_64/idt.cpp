#include "kernel/arch/x86_64/idt.h"

#include "kernel/arch/x86_64/descriptors.h"
#include "kernel/arch/x86_64/exception_info.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/vectors.h"

extern "C" const char interrupt_stubs[];

namespace kernel::x86_64::idt {

namespace {

constexpr uint64_t STUB_SIZE = 16; // matches interrupt_entry.S

alignas(16) IdtGate g_idt[vectors::COUNT];

unsigned ist_for(unsigned vector) {
    switch (vector) {
    case vector::DOUBLE_FAULT: return IST_DOUBLE_FAULT;
    case vector::NMI: return IST_NMI;
    case vector::MACHINE_CHECK: return IST_MACHINE_CHECK;
    default: return 0;
    }
}

} // namespace

void build() {
    auto stubs = reinterpret_cast<uint64_t>(interrupt_stubs);
    for (unsigned v = 0; v < vectors::COUNT; ++v) {
        // Interrupt gates everywhere: IF is cleared on entry, so a handler is never interrupted
        // before it has decided it can be. #BP is DPL 3 so a user int3 reaches its handler
        // instead of becoming #GP; every other vector is DPL 0 (int n from Ring 3 -> #GP).
        unsigned dpl = v == vector::BREAKPOINT ? 3 : 0;
        g_idt[v] = idt_gate(stubs + v * STUB_SIZE, selector::KERNEL_CODE, ist_for(v),
                            GateType::Interrupt, dpl);
    }
}

void load() {
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } pointer{uint16_t(sizeof g_idt - 1), reinterpret_cast<uint64_t>(g_idt)};
    // lidt reads the 10-byte pointer; the table is static and outlives every CPU's use of it.
    asm volatile("lidt %0" : : "m"(pointer) : "memory");
}

} // namespace kernel::x86_64::idt
