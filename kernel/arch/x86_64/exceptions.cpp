#include "kernel/arch/x86_64/exceptions.h"
#include "kernel/object/process.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/exception_info.h"
#include "kernel/debug/log.h"
#include "kernel/debug/panic.h"
#include "kernel/debug/symbols.h"
#include "kernel/mm/layout.h"

namespace kernel::x86_64 {

namespace {

RegisterSnapshot snapshot_of(const InterruptFrame& f, uint64_t cr2) {
    return {f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp, f.rsp,
            f.r8,  f.r9,  f.r10, f.r11, f.r12, f.r13, f.r14, f.r15,
            f.rip, f.rflags, cpu::read_cr0(), cr2, cpu::read_cr3(), cpu::read_cr4()};
}

void print_location(const char* what, uint64_t address) {
    auto symbol = symbols::lookup(address);
    if (symbol)
        kprintln("  {} {:#018x} {}+{:#x}", what, address, symbol->name, symbol->offset);
    else
        kprintln("  {} {:#018x} (no symbol)", what, address);
}

void print_page_fault(uint64_t code, uint64_t cr2) {
    PageFaultError e = decode_page_fault(code);
    kprintln("  page fault at {:#018x}: {}, {}, {} mode{}{}{}{}", cr2,
             e.present ? "protection violation" : "not present", e.write ? "write" : "read",
             e.user ? "user" : "kernel", e.reserved_bit ? ", reserved bit set" : "",
             e.instruction_fetch ? ", instruction fetch" : "",
             e.protection_key ? ", protection key" : "", e.shadow_stack ? ", shadow stack" : "");
}

void print_selector_error(uint64_t code) {
    if (code == 0) {
        kprintln("  error code 0: not caused by a segment selector");
        return;
    }
    SelectorError e = decode_selector_error(code);
    kprintln("  selector error {:#x}: {} index {}{}", code, selector_table_name(e.table), e.index,
             e.external ? ", during delivery of an external event" : "");
}

// Whether `address` is in the unmapped guard of a kernel stack slot, and which slot.
bool in_stack_guard(uint64_t address, uint64_t& slot) {
    using namespace mm::layout;
    if (address < STACKS_BASE || address >= STACKS_BASE + STACKS_SIZE)
        return false;
    slot = (address - STACKS_BASE) / STACK_STRIDE;
    return address < stack_slot(slot).bottom.value();
}

// Names the IST stack the handler runs on, if any: proof that #DF/NMI/#MC got a good stack.
void print_handler_stack() {
    auto here = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
    const CpuArch& cpu = this_cpu();
    for (unsigned i = 0; i < IST_COUNT; ++i) {
        uint64_t top = cpu.tss.ist[i]; // copy out of the packed TSS
        if (here >= cpu.ist_bottom[i] && here < top)
            kprintln("  handled on IST{} stack {:#018x}-{:#018x}", i + 1, cpu.ist_bottom[i], top);
    }
}

void report(const InterruptFrame& f, uint64_t cr2) {
    unsigned v = unsigned(f.vector);
    kprintln(LogColour::Error, "exception: {} {} (vector {}) in {} mode, error code {:#x}",
             exception_mnemonic(v), exception_name(v), v, f.from_user() ? "user" : "kernel",
             f.error_code);
    print_location("rip", f.rip);
    kprintln("  cs={:#x} ss={:#x} rsp={:#018x} rflags={:#018x}", f.cs, f.ss, f.rsp, f.rflags);
    if (v == vector::PAGE_FAULT)
        print_page_fault(f.error_code, cr2);
    else if (is_selector_error_vector(v))
        print_selector_error(f.error_code);
    print_handler_stack();
    uint64_t slot = 0;
    if (v == vector::DOUBLE_FAULT || v == vector::PAGE_FAULT) {
        // An overflow faults on the guard; the #PF cannot push its frame there either and
        // escalates to #DF, whose frame still holds the overflowing RSP and CR2 the address.
        if (in_stack_guard(cr2, slot) || in_stack_guard(f.rsp, slot))
            kprintln(LogColour::Error,
                     "  kernel stack overflow: slot {} guard hit (cr2 {:#018x}, rsp {:#018x})",
                     slot, cr2, f.rsp);
    }
}

} // namespace

void handle_exception(InterruptFrame& frame) {
    uint64_t cr2 = frame.vector == vector::PAGE_FAULT || frame.vector == vector::DOUBLE_FAULT
                       ? cpu::read_cr2()
                       : 0;
    // Never on #DF, NMI or #MC: those are not a recoverable consequence of one instruction.
    bool recoverable = frame.vector != vector::DOUBLE_FAULT && frame.vector != vector::NMI &&
                       frame.vector != vector::MACHINE_CHECK;
    if (!frame.from_user() && recoverable && try_expected_fault(frame, cr2))
        return;
    unsigned v = unsigned(frame.vector);
    if (frame.from_user())
        handle_user_fault(frame, exception_name(v));
    report(frame, cr2);
    char message[96];
    lib::BufferOutput out(message, sizeof message);
    lib::format_to(out, "unhandled {} ({}) in kernel mode", exception_mnemonic(v),
                   exception_name(v));
    RegisterSnapshot registers = snapshot_of(frame, cr2);
    panic_with_message(SourceLocation::current(), out.view(), &registers);
}

void handle_user_fault(InterruptFrame& frame, const char* reason) {
    uint64_t cr2 = frame.vector == vector::PAGE_FAULT ? cpu::read_cr2() : 0;
    sched::Thread* thread = sched::current();
    object::Process* process = thread ? thread->process : nullptr;
    if (!process) {
        report(frame, cr2);
        RegisterSnapshot registers = snapshot_of(frame, cr2);
        panic_with_message(SourceLocation::current(), "user-mode fault outside any process",
                           &registers);
    }
    // The fault is the process's, not the kernel's: end it and let everything else go on.
    kprintln(LogColour::Warning,
             "process {} ({}) ended: {} at rip {:#x} (error {:#x}, cr2 {:#x})", process->pid(),
             process->name(), reason, frame.rip, frame.error_code, cr2);
    cpu::enable_interrupts();
    sched::exit_current_process(-int(frame.vector) - 1,
                                object::ExitState{mnos::ExitReason::Faulted, frame.vector, cr2});
}

} // namespace kernel::x86_64
