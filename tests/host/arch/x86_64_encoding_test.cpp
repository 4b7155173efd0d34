// Checks the descriptor, gate, error-code and redirection-entry encodings against the bit
// layouts of the Intel SDM (Vol. 3A 3.4.5, 6.13, 6.14.1, 4.7, 7.2.3) and the 82093AA datasheet.
#include <gtest/gtest.h>

#include "kernel/arch/x86_64/descriptors.h"
#include "kernel/arch/x86_64/exception_info.h"
#include "kernel/arch/x86_64/redirection_entry.h"
#include "kernel/arch/x86_64/vectors.h"

using namespace kernel::x86_64;

TEST(GdtEncoding, MatchesTheWellKnownFlatDescriptors) {
    // The values every 64-bit kernel's GDT holds (also boot.S's).
    EXPECT_EQ(segment_descriptor(SegmentKind::Code64, 0), 0x00af9a000000ffffull);
    EXPECT_EQ(segment_descriptor(SegmentKind::Data, 0), 0x00cf92000000ffffull);
    EXPECT_EQ(segment_descriptor(SegmentKind::Code32, 3), 0x00cffa000000ffffull);
    EXPECT_EQ(segment_descriptor(SegmentKind::Data, 3), 0x00cff2000000ffffull);
    EXPECT_EQ(segment_descriptor(SegmentKind::Code64, 3), 0x00affa000000ffffull);
}

TEST(GdtEncoding, LongModeCodeNeverSetsDefaultSize) {
    // L=1 with D=1 is reserved: the CPU raises #GP on loading such a CS.
    for (unsigned dpl : {0u, 3u}) {
        uint64_t d = segment_descriptor(SegmentKind::Code64, dpl);
        EXPECT_TRUE(d & (1ull << 53));
        EXPECT_FALSE(d & (1ull << 54));
        EXPECT_EQ((d >> 45) & 3, dpl);
    }
}

TEST(GdtLayout, FollowsTheSysretOrder) {
    // SYSCALL: CS = STAR[47:32], SS = +8. SYSRET (64-bit): CS = STAR[63:48] + 16, SS = +8.
    uint16_t syscall_base = selector::KERNEL_CODE;
    uint16_t sysret_base = selector::USER_CODE32 & ~3;
    EXPECT_EQ(selector::KERNEL_DATA, syscall_base + 8);
    EXPECT_EQ(selector::USER_DATA, (sysret_base + 8) | 3);
    EXPECT_EQ(selector::USER_CODE, (sysret_base + 16) | 3);
    EXPECT_EQ(selector::TSS / 8 + 2, GDT_ENTRIES); // the 16-byte TSS descriptor ends the GDT
}

TEST(TssEncoding, SplitsBaseAndLimit) {
    SystemDescriptor d = tss_descriptor(0xffffffff80123456ull, 103);
    EXPECT_EQ(d.low & 0xffff, 103u);                 // limit 15:0
    EXPECT_EQ((d.low >> 16) & 0xffffff, 0x123456u); // base 23:0
    EXPECT_EQ((d.low >> 40) & 0xff, 0x89u);         // present, DPL 0, type 9 (available TSS)
    EXPECT_EQ((d.low >> 48) & 0xf, 0u);             // limit 19:16
    EXPECT_EQ((d.low >> 56) & 0xff, 0x80u);         // base 31:24
    EXPECT_EQ(d.high, 0xffffffffull);               // base 63:32, upper half reserved zero
    EXPECT_EQ(sizeof(Tss), 104u);
    EXPECT_EQ(Tss{}.io_map_base, 104u);
}

TEST(IdtEncoding, GateFieldsAndRoundTrip) {
    uint64_t handler = 0xffffffff8020abcdull;
    IdtGate g = idt_gate(handler, selector::KERNEL_CODE, 1, GateType::Interrupt, 0);
    EXPECT_EQ(g.low & 0xffff, 0xabcdu);
    EXPECT_EQ((g.low >> 16) & 0xffff, selector::KERNEL_CODE);
    EXPECT_EQ((g.low >> 32) & 7, 1u);       // IST index
    EXPECT_EQ((g.low >> 40) & 0xf, 0xeu);   // 64-bit interrupt gate
    EXPECT_EQ((g.low >> 45) & 3, 0u);       // DPL
    EXPECT_TRUE(g.low & (1ull << 47));      // present
    EXPECT_EQ((g.low >> 48) & 0xffff, 0x8020u);
    EXPECT_EQ(g.high, 0xffffffffull);
    EXPECT_EQ(idt_gate_handler(g), handler);
    EXPECT_EQ((idt_gate(handler, 8, 0, GateType::Trap, 3).low >> 40) & 0xff, 0xefu);
}

TEST(ExceptionInfo, ErrorCodeVectorsMatchTheSdm) {
    for (unsigned v = 0; v < 256; ++v) {
        bool expected = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
        EXPECT_EQ(has_error_code(v), expected) << "vector " << v;
    }
    EXPECT_STREQ(exception_mnemonic(14), "#PF");
    EXPECT_STREQ(exception_name(14), "page fault");
    EXPECT_STREQ(exception_name(8), "double fault");
    EXPECT_STREQ(exception_mnemonic(40), "IRQ");
}

TEST(ExceptionInfo, PageFaultErrorBits) {
    PageFaultError none = decode_page_fault(0);
    EXPECT_FALSE(none.present || none.write || none.user || none.reserved_bit ||
                 none.instruction_fetch);
    EXPECT_TRUE(decode_page_fault(1).present);
    EXPECT_TRUE(decode_page_fault(2).write);
    EXPECT_TRUE(decode_page_fault(4).user);
    EXPECT_TRUE(decode_page_fault(8).reserved_bit);
    EXPECT_TRUE(decode_page_fault(0x10).instruction_fetch);
    EXPECT_TRUE(decode_page_fault(0x20).protection_key);
    EXPECT_TRUE(decode_page_fault(0x40).shadow_stack);
    PageFaultError user_write_protection = decode_page_fault(7);
    EXPECT_TRUE(user_write_protection.present && user_write_protection.write &&
                user_write_protection.user && !user_write_protection.instruction_fetch);
}

TEST(ExceptionInfo, SelectorErrorCodes) {
    SelectorError gdt = decode_selector_error(0x1230);
    EXPECT_EQ(gdt.table, SelectorError::Table::Gdt);
    EXPECT_EQ(gdt.index, 0x246);
    EXPECT_FALSE(gdt.external);
    SelectorError ldt = decode_selector_error(0x1234);
    EXPECT_EQ(ldt.table, SelectorError::Table::Ldt);
    // IDT flag: the index is a vector; TI is then meaningless.
    SelectorError idt = decode_selector_error((0x80u << 3) | 2 | 4 | 1);
    EXPECT_EQ(idt.table, SelectorError::Table::Idt);
    EXPECT_EQ(idt.index, 0x80);
    EXPECT_TRUE(idt.external);
    EXPECT_TRUE(is_selector_error_vector(13));
    EXPECT_FALSE(is_selector_error_vector(14));
}

TEST(RedirectionEntry, EncodesEveryField) {
    RedirectionEntry masked_default;
    EXPECT_EQ(masked_default.encode(), 1ull << 16); // vector 0, masked, fixed, physical
    RedirectionEntry sci{.vector = 0x29, .active_low = false, .level_triggered = true,
                         .masked = false, .destination = 3};
    EXPECT_EQ(sci.encode(), 0x0300000000008029ull);
    RedirectionEntry low{.vector = 0x30, .active_low = true, .level_triggered = false,
                         .masked = false, .destination = 0xff};
    EXPECT_EQ(low.encode(), 0xff00000000002030ull);
    EXPECT_EQ(RedirectionEntry::decode(sci.encode()), sci);
    EXPECT_EQ(RedirectionEntry::decode(low.encode()), low);
    // Read-only status bits (delivery status 12, remote IRR 14) do not disturb the decode.
    EXPECT_EQ(RedirectionEntry::decode(sci.encode() | (1 << 12) | (1 << 14)), sci);
}

TEST(Vectors, MapDoesNotOverlap) {
    EXPECT_GE(vectors::GSI_BASE, 32u);
    EXPECT_LE(vectors::GSI_BASE + vectors::GSI_COUNT, vectors::LAPIC_TIMER);
    EXPECT_LT(vectors::LAPIC_TIMER, vectors::IPI_FIRST);
    EXPECT_LT(vectors::IPI_LAST, vectors::LAPIC_ERROR);
    EXPECT_EQ(vectors::SPURIOUS, 0xffu);
    // The spurious vector's low four bits must be all ones on older APICs (SDM 11.9).
    EXPECT_EQ(vectors::SPURIOUS & 0xf, 0xfu);
}
