#include "kernel/test/fault_probes.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/exception_info.h"

namespace kernel::test {

namespace {

// Interrupts off from arming to disarming: a preemption could move the thread to a CPU whose
// expectation is not armed.
struct ArmedProbe {
    ArmedProbe() : was_enabled(cpu::interrupts_enabled()) {
        cpu::disable_interrupts();
        expectation = &x86_64::expect_fault(x86_64::vector::PAGE_FAULT);
    }
    x86_64::FaultExpectation finish() {
        x86_64::FaultExpectation result = x86_64::finish_expected_fault();
        if (was_enabled)
            cpu::enable_interrupts();
        return result;
    }
    bool was_enabled;
    x86_64::FaultExpectation* expectation = nullptr;
};

} // namespace

// In each probe the resume address is stored and the access made in one asm statement, so no
// compiler-generated code runs between arming and faulting; RAX carries the resume address.

x86_64::FaultExpectation probe_read(uint64_t address) {
    ArmedProbe probe;
    // A fault happens before RCX is written; the handler resumes at 1f.
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "movq (%1), %%rcx\n"
                 "1:"
                 : "=m"(probe.expectation->resume_rip)
                 : "r"(address)
                 : "rax", "rcx", "memory");
    return probe.finish();
}

x86_64::FaultExpectation probe_write(uint64_t address) {
    ArmedProbe probe;
    // A store to a read-only page faults before writing anything.
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "movb $0xcc, (%1)\n"
                 "1:"
                 : "=m"(probe.expectation->resume_rip)
                 : "r"(address)
                 : "rax", "memory");
    return probe.finish();
}

x86_64::FaultExpectation probe_execute(uint64_t address) {
    ArmedProbe probe;
    // A jmp, not a call: the fetch at `address` faults with nothing pushed, so resuming at 1f
    // leaves the stack exactly as it was.
    asm volatile("leaq 1f(%%rip), %%rax\n\t"
                 "movq %%rax, %0\n\t"
                 "jmp *%1\n"
                 "1:"
                 : "=m"(probe.expectation->resume_rip)
                 : "r"(address)
                 : "rax", "memory");
    return probe.finish();
}

} // namespace kernel::test
