// What the CPU tells an exception handler, decoded (Intel SDM Vol. 3A, 6.15 "Exception and
// Interrupt Reference", 6.13 error codes, 4.7 page-fault error codes). Hardware-free, so the host
// tests check the decoding against the SDM's bit positions.
#pragma once

#include <cstdint>

namespace kernel::x86_64 {

namespace vector {
inline constexpr uint8_t DIVIDE_ERROR = 0;
inline constexpr uint8_t DEBUG = 1;
inline constexpr uint8_t NMI = 2;
inline constexpr uint8_t BREAKPOINT = 3;
inline constexpr uint8_t OVERFLOW = 4;
inline constexpr uint8_t BOUND_RANGE = 5;
inline constexpr uint8_t INVALID_OPCODE = 6;
inline constexpr uint8_t DEVICE_NOT_AVAILABLE = 7;
inline constexpr uint8_t DOUBLE_FAULT = 8;
inline constexpr uint8_t INVALID_TSS = 10;
inline constexpr uint8_t SEGMENT_NOT_PRESENT = 11;
inline constexpr uint8_t STACK_FAULT = 12;
inline constexpr uint8_t GENERAL_PROTECTION = 13;
inline constexpr uint8_t PAGE_FAULT = 14;
inline constexpr uint8_t X87_FPU = 16;
inline constexpr uint8_t ALIGNMENT_CHECK = 17;
inline constexpr uint8_t MACHINE_CHECK = 18;
inline constexpr uint8_t SIMD_FPU = 19;
inline constexpr uint8_t VIRTUALIZATION = 20;
inline constexpr uint8_t CONTROL_PROTECTION = 21;
inline constexpr uint8_t EXCEPTION_COUNT = 32;
} // namespace vector

// Vectors for which the CPU pushes an error code (SDM Table 6-1). The entry stubs push a zero
// for every other vector so that all frames have the same shape.
constexpr bool has_error_code(unsigned v) {
    return v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21 ||
           v == 29 || v == 30;
}


// Name and mnemonic of an exception vector, e.g. "page fault" and "#PF".
constexpr const char* exception_name(unsigned v) {
    constexpr const char* NAMES[32] = {
        "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow",
        "bound range exceeded", "invalid opcode", "device not available", "double fault",
        "coprocessor segment overrun", "invalid TSS", "segment not present",
        "stack-segment fault", "general protection fault", "page fault", "reserved",
        "x87 floating-point error", "alignment check", "machine check",
        "SIMD floating-point exception", "virtualization exception",
        "control protection exception", "reserved", "reserved", "reserved", "reserved",
        "reserved", "reserved", "hypervisor injection exception", "VMM communication exception",
        "security exception", "reserved"};
    return v < 32 ? NAMES[v] : "interrupt";
}

constexpr const char* exception_mnemonic(unsigned v) {
    constexpr const char* MNEMONICS[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS",
        "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
        "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31"};
    return v < 32 ? MNEMONICS[v] : "IRQ";
}

// Page-fault error code (SDM 4.7).
struct PageFaultError {
    bool present;           // P: 0 = the page was not present, 1 = a protection violation
    bool write;             // W/R: the access was a write
    bool user;              // U/S: the access came from CPL 3
    bool reserved_bit;      // RSVD: a reserved bit was set in a paging-structure entry
    bool instruction_fetch; // I/D: the access was an instruction fetch (NX)
    bool protection_key;    // PK
    bool shadow_stack;      // SS
};

constexpr PageFaultError decode_page_fault(uint64_t code) {
    return {bool(code & 1),         bool(code & 2),         bool(code & 4),
            bool(code & 8),         bool(code & 0x10),      bool(code & 0x20),
            bool(code & 0x40)};
}

// Selector error code for #TS, #NP, #SS, #GP (SDM 6.13): which descriptor the fault was about.
// A zero code means the fault was not about a segment selector.
struct SelectorError {
    enum class Table : uint8_t { Gdt, Idt, Ldt };
    bool external; // EXT: raised while delivering an external event
    Table table;
    uint16_t index; // descriptor index in that table (for the IDT: the vector)
};

constexpr SelectorError decode_selector_error(uint64_t code) {
    // IDT (bit 1) takes precedence over TI (bit 2), which is only meaningful when IDT is 0.
    SelectorError::Table table = (code & 2)   ? SelectorError::Table::Idt
                                 : (code & 4) ? SelectorError::Table::Ldt
                                              : SelectorError::Table::Gdt;
    return {bool(code & 1), table, uint16_t((code >> 3) & 0x1FFF)};
}

constexpr const char* selector_table_name(SelectorError::Table t) {
    switch (t) {
    case SelectorError::Table::Gdt: return "GDT";
    case SelectorError::Table::Idt: return "IDT";
    case SelectorError::Table::Ldt: return "LDT";
    }
    return "?";
}

constexpr bool is_selector_error_vector(unsigned v) {
    return v == vector::INVALID_TSS || v == vector::SEGMENT_NOT_PRESENT ||
           v == vector::STACK_FAULT || v == vector::GENERAL_PROTECTION;
}

} // namespace kernel::x86_64
