// Encodings of the x86_64 descriptor-table entries (Intel SDM Vol. 3A, 3.4.5 segment descriptors,
// 7.2.3 the 64-bit TSS descriptor, 6.14.1 64-bit IDT gates). Pure constexpr arithmetic with no
// hardware access, so the host tests check the exact bits the CPU will read.
#pragma once

#include <cstdint>

namespace kernel::x86_64 {

// The GDT layout, in the order SYSCALL/SYSRET require (see docs/interrupts.md):
//   SYSCALL loads CS = STAR[47:32], SS = STAR[47:32] + 8      -> kernel code, kernel data
//   SYSRET (64-bit) loads CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, both with RPL 3
//                                                              -> user data, then user code 64
// so with STAR[63:48] = USER_CODE32 the three user descriptors must be code32, data, code64.
namespace selector {
inline constexpr uint16_t NULL_SELECTOR = 0x00;
inline constexpr uint16_t KERNEL_CODE = 0x08;
inline constexpr uint16_t KERNEL_DATA = 0x10;
inline constexpr uint16_t USER_CODE32 = 0x18 | 3; // placeholder: SYSRET's base, never loaded
inline constexpr uint16_t USER_DATA = 0x20 | 3;
inline constexpr uint16_t USER_CODE = 0x28 | 3;
inline constexpr uint16_t TSS = 0x30; // 16 bytes: occupies slots 6 and 7
} // namespace selector

inline constexpr unsigned GDT_ENTRIES = 8;

// Access byte: P (bit 7), DPL (bits 5-6), S (bit 4: code/data rather than system), type.
// Flags nibble: G (4 KiB granularity), D/B (32-bit default size), L (64-bit code).
enum class SegmentKind : uint8_t { Code64, Code32, Data };

constexpr uint64_t segment_descriptor(SegmentKind kind, unsigned dpl) {
    constexpr uint64_t PRESENT = 1ull << 47, CODE_DATA = 1ull << 44;
    constexpr uint64_t TYPE_CODE_READ = 0xAull << 40; // execute/read, non-conforming
    constexpr uint64_t TYPE_DATA_WRITE = 0x2ull << 40; // read/write, expand-up
    constexpr uint64_t GRANULARITY = 1ull << 55, DEFAULT_32 = 1ull << 54, LONG = 1ull << 53;
    // Limit 0xFFFFF with 4 KiB granularity: ignored in 64-bit mode, but a flat 4 GiB segment
    // is what a 32-bit code segment and SS in compatibility mode need.
    constexpr uint64_t FLAT_LIMIT = 0xFFFFull | (0xFull << 48);
    uint64_t d = PRESENT | CODE_DATA | (uint64_t(dpl & 3) << 45) | FLAT_LIMIT | GRANULARITY;
    switch (kind) {
    case SegmentKind::Code64: return d | TYPE_CODE_READ | LONG; // L=1 requires D=0
    case SegmentKind::Code32: return d | TYPE_CODE_READ | DEFAULT_32;
    case SegmentKind::Data: return d | TYPE_DATA_WRITE | DEFAULT_32;
    }
    return 0;
}

// A 64-bit TSS descriptor: 16 bytes, type 9 (available 64-bit TSS), DPL 0.
struct SystemDescriptor {
    uint64_t low, high;
};

constexpr SystemDescriptor tss_descriptor(uint64_t base, uint32_t limit) {
    uint64_t low = (limit & 0xFFFFull) | ((base & 0xFFFFFFull) << 16) | (0x89ull << 40) |
                   (uint64_t((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    return {low, base >> 32};
}

// A 64-bit IDT gate (16 bytes).
enum class GateType : uint8_t { Interrupt = 0xE, Trap = 0xF };

struct IdtGate {
    uint64_t low = 0, high = 0;
    constexpr bool operator==(const IdtGate&) const = default;
};

constexpr IdtGate idt_gate(uint64_t handler, uint16_t code_selector, unsigned ist, GateType type,
                           unsigned dpl) {
    uint64_t low = (handler & 0xFFFF) | (uint64_t(code_selector) << 16) |
                   (uint64_t(ist & 7) << 32) | (uint64_t(type) << 40) |
                   (uint64_t(dpl & 3) << 45) | (1ull << 47) | (((handler >> 16) & 0xFFFF) << 48);
    return {low, handler >> 32};
}

constexpr uint64_t idt_gate_handler(const IdtGate& gate) {
    return (gate.low & 0xFFFF) | (((gate.low >> 48) & 0xFFFF) << 16) | (gate.high << 32);
}

// The 64-bit TSS (SDM 7.7): RSP0-2 for privilege changes, IST1-7 for gates that name one.
// Packed because the hardware layout has 64-bit fields at 4-byte offsets.
struct [[gnu::packed]] Tss {
    uint32_t reserved0 = 0;
    uint64_t rsp[3] = {};
    uint64_t reserved1 = 0;
    uint64_t ist[7] = {}; // ist[0] is IST1
    uint64_t reserved2 = 0;
    uint16_t reserved3 = 0;
    // At or past the TSS limit: no I/O permission bitmap, so every port access from Ring 3
    // faults (I/O port capabilities will grant access another way).
    uint16_t io_map_base = 104;
};
static_assert(sizeof(Tss) == 104);

} // namespace kernel::x86_64
