// CPU primitives: thin, always-inline wrappers over single privileged instructions.
// Each asm statement is sound because it only touches the registers named in its constraints;
// the "memory" clobber is added wherever the instruction orders or changes memory visibility.
#pragma once

#include <cstdint>

namespace kernel::cpu {

[[gnu::always_inline]] inline void halt() { asm volatile("hlt"); }
[[gnu::always_inline]] inline void pause() { asm volatile("pause"); }
// "memory" on cli/sti: the compiler must not move memory accesses across the point where
// interrupts change, or a critical section would leak outside its lock.
[[gnu::always_inline]] inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
[[gnu::always_inline]] inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }

[[noreturn]] inline void halt_forever() {
    for (;;) {
        disable_interrupts();
        halt();
    }
}

inline constexpr uint64_t RFLAGS_IF = 1u << 9;

[[gnu::always_inline]] inline uint64_t read_rflags() {
    uint64_t flags;
    asm volatile("pushfq; popq %0" : "=r"(flags) : : "memory");
    return flags;
}

[[gnu::always_inline]] inline bool interrupts_enabled() { return read_rflags() & RFLAGS_IF; }

#define MNOS_CONTROL_REGISTER(n)                                                                   \
    [[gnu::always_inline]] inline uint64_t read_cr##n() {                                          \
        uint64_t value;                                                                            \
        asm volatile("mov %%cr" #n ", %0" : "=r"(value));                                          \
        return value;                                                                              \
    }                                                                                              \
    [[gnu::always_inline]] inline void write_cr##n(uint64_t value) {                               \
        asm volatile("mov %0, %%cr" #n : : "r"(value) : "memory");                                 \
    }
MNOS_CONTROL_REGISTER(0)
MNOS_CONTROL_REGISTER(2)
MNOS_CONTROL_REGISTER(3)
MNOS_CONTROL_REGISTER(4)
#undef MNOS_CONTROL_REGISTER

// Drops the TLB entry for one page; "memory" because later accesses must see the new mapping.
[[gnu::always_inline]] inline void invlpg(uint64_t virt) {
    asm volatile("invlpg (%0)" : : "r"(virt) : "memory");
}

[[gnu::always_inline]] inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

[[gnu::always_inline]] inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}

[[gnu::always_inline]] inline void wrmsr(uint32_t msr, uint64_t value) {
    asm volatile("wrmsr" : : "c"(msr), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

// Port I/O: "memory" so device accesses stay ordered with the memory accesses around them.
[[gnu::always_inline]] inline void out8(uint16_t port, uint8_t v) {
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
[[gnu::always_inline]] inline void out16(uint16_t port, uint16_t v) {
    asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
[[gnu::always_inline]] inline void out32(uint16_t port, uint32_t v) {
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
[[gnu::always_inline]] inline uint8_t in8(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
[[gnu::always_inline]] inline uint16_t in16(uint16_t port) {
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
[[gnu::always_inline]] inline uint32_t in32(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}

} // namespace kernel::cpu
