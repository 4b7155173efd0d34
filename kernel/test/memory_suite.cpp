// test=memory: the PMM, the kernel page tables (W^X, no identity map), the heap and kernel stacks,
// checked on the running kernel.
#include "kernel/mm/hhdm.h"
#include "kernel/mm/kernel_heap.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memory.h"
#include "kernel/test/fault_probes.h"
#include "kernel/test/suites.h"

extern "C" const uint8_t __text_start[];

namespace kernel::test {

namespace {

using lib::PhysAddr;
using lib::VirtAddr;

// Allocates every free frame (chaining them through their own first word, so no memory is
// needed to remember them), frees them all, and checks the counts return exactly.
void every_frame_round_trip(Context& ctx) {
    auto& pmm = mm::pmm();
    uint64_t free_before = pmm.stats().free_frames;
    uint64_t head = 0, count = 0;
    while (auto frame = pmm.alloc()) {
        // Every allocated frame lies in usable RAM, which the HHDM maps.
        *mm::phys_to_ptr<uint64_t>(*frame) = head;
        head = frame->value();
        ++count;
    }
    EXPECT(ctx, count == free_before);
    EXPECT(ctx, pmm.stats().free_frames == 0);
    EXPECT(ctx, pmm.alloc().error() == lib::Error::OutOfMemory);
    bool all_freed = true;
    while (head) {
        uint64_t next = *mm::phys_to_ptr<uint64_t>(PhysAddr(head));
        all_freed &= pmm.free(PhysAddr(head)).has_value();
        head = next;
    }
    EXPECT(ctx, all_freed);
    EXPECT(ctx, pmm.stats().free_frames == free_before);
    kprintln("selftest memory: allocated and freed all {} free frames", count);
}

void frees_are_checked(Context& ctx) {
    auto& pmm = mm::pmm();
    auto frame = pmm.alloc();
    EXPECT(ctx, frame.has_value());
    EXPECT(ctx, pmm.free(*frame).has_value());
    EXPECT(ctx, pmm.free(*frame).error() == lib::Error::DoubleFree);
    // The kernel image is reserved: freeing one of its frames must be refused.
    EXPECT(ctx, pmm.free(PhysAddr(mm::layout::KERNEL_LOAD_PHYS)).error() == lib::Error::InvalidArgument);
    auto run = pmm.alloc_contiguous(16, 64 * 1024);
    EXPECT(ctx, run.has_value() && run->is_aligned(64 * 1024));
    EXPECT(ctx, run && pmm.free_contiguous(*run, 16).has_value());
}

void page_tables_enforce_wx(Context& ctx) {
    mm::MappingAudit audit = mm::audit_kernel_mappings();
    kprintln("selftest memory: {} kernel leaf mappings, {} writable+executable, {} user", audit.leaves,
             audit.writable_and_executable, audit.user_accessible);
    EXPECT(ctx, audit.leaves > 0);
    EXPECT(ctx, audit.writable_and_executable == 0);
    EXPECT(ctx, audit.user_accessible == 0);
    EXPECT(ctx, !mm::translate_kernel(VirtAddr(0)).has_value());        // null page
    EXPECT(ctx, !mm::translate_kernel(VirtAddr(0x200000)).has_value()); // boot identity map
    auto text = mm::translate_kernel(VirtAddr(reinterpret_cast<uint64_t>(__text_start)));
    EXPECT(ctx, text && mm::has(text->flags, mm::PageFlags::Executable) &&
                    !mm::has(text->flags, mm::PageFlags::Writable));
}

void heap_allocates_and_returns(Context& ctx) {
    auto before = mm::kernel_heap().stats();
    constexpr int COUNT = 200;
    uint64_t* blocks[COUNT];
    for (int i = 0; i < COUNT; ++i) {
        blocks[i] = new uint64_t[size_t(i) * 7 + 1];
        blocks[i][0] = uint64_t(i) * 0x9e3779b97f4a7c15;
    }
    bool intact = true;
    for (int i = 0; i < COUNT; ++i) {
        intact &= blocks[i][0] == uint64_t(i) * 0x9e3779b97f4a7c15;
        delete[] blocks[i];
    }
    EXPECT(ctx, intact);
    auto big = mm::kernel_heap().allocate(3 * 1024 * 1024, 4096); // forces the heap to grow
    EXPECT(ctx, big.has_value() && reinterpret_cast<uint64_t>(*big) % 4096 == 0);
    if (big)
        EXPECT(ctx, mm::kernel_heap().deallocate(*big).has_value());
    EXPECT(ctx, mm::kernel_heap().stats().bytes_in_use == before.bytes_in_use);
    EXPECT(ctx, mm::kernel_heap().check_invariants() == nullptr);
}

void kernel_stacks_have_guards(Context& ctx) {
    auto stack = mm::allocate_kernel_stack();
    EXPECT(ctx, stack.has_value());
    if (!stack)
        return;
    EXPECT(ctx, mm::translate_kernel(stack->bottom).has_value());
    EXPECT(ctx, mm::translate_kernel(stack->top - 8).has_value());
    EXPECT(ctx, !mm::translate_kernel(stack->bottom - lib::PAGE_SIZE).has_value());
    // The stack is usable memory: write its last and first words.
    *reinterpret_cast<volatile uint64_t*>((stack->top - 8).value()) = 1;
    *reinterpret_cast<volatile uint64_t*>(stack->bottom.value()) = 2;
    mm::free_kernel_stack(*stack);
    EXPECT(ctx, !mm::translate_kernel(stack->bottom).has_value());
}

void mmio_is_uncached(Context& ctx) {
    auto lapic = mm::map_mmio(PhysAddr(0xfee00000), 4096);
    EXPECT(ctx, lapic.has_value());
    auto t = lapic ? mm::translate_kernel(*lapic) : lib::Result<mm::Translation>(lib::fail(lib::Error::NotFound));
    EXPECT(ctx, t && t->phys == PhysAddr(0xfee00000) && mm::has(t->flags, mm::PageFlags::Uncached) &&
                    !mm::has(t->flags, mm::PageFlags::Executable));
}

// W^X in action: a store into .text and a jump into the heap must both fault.
void wx_violations_fault(Context& ctx) {
    constexpr uint64_t PF_PRESENT = 1, PF_WRITE = 2, PF_FETCH = 16;
    auto text = reinterpret_cast<uint64_t>(__text_start);
    uint8_t before = *reinterpret_cast<const volatile uint8_t*>(text);
    auto w = probe_write(text);
    kprintln("selftest memory: write to .text at {:#x}: {} (error {:#x}, cr2 {:#x})", text,
             w.caught ? "page fault" : "NOT caught", w.error_code, w.cr2);
    EXPECT(ctx, w.caught && w.cr2 == text && (w.error_code & (PF_PRESENT | PF_WRITE)) ==
                                                   (PF_PRESENT | PF_WRITE));
    EXPECT(ctx, *reinterpret_cast<const volatile uint8_t*>(text) == before);

    auto* code = static_cast<uint8_t*>(::operator new(64));
    code[0] = 0xc3; // ret: harmless if it ever ran
    auto x = probe_execute(reinterpret_cast<uint64_t>(code));
    kprintln("selftest memory: execute from heap at {}: {} (error {:#x})",
             static_cast<const void*>(code), x.caught ? "page fault" : "NOT caught", x.error_code);
    EXPECT(ctx, x.caught && x.cr2 == reinterpret_cast<uint64_t>(code) &&
                    (x.error_code & (PF_PRESENT | PF_FETCH)) == (PF_PRESENT | PF_FETCH));
    ::operator delete(code);
}

} // namespace

void memory_suite(Context& ctx) {
    wx_violations_fault(ctx);
    every_frame_round_trip(ctx);
    frees_are_checked(ctx);
    page_tables_enforce_wx(ctx);
    heap_allocates_and_returns(ctx);
    kernel_stacks_have_guards(ctx);
    mmio_is_uncached(ctx);
}

} // namespace kernel::test
