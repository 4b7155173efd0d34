// interrupt_dispatch: where the common entry stub hands every vector to C++.
#include <atomic>

#include "kernel/arch/x86_64/exceptions.h"
#include "kernel/arch/x86_64/interrupt_frame.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/vectors.h"
#include "kernel/debug/log.h"
#include "kernel/irq/irq.h"
#include "kernel/irq/msi.h"
#include "kernel/irq/tick.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"

namespace kernel::x86_64 {

namespace {
std::atomic<uint64_t> g_spurious{0};
}

uint64_t spurious_interrupts() { return g_spurious.load(std::memory_order_relaxed); }

} // namespace kernel::x86_64

using namespace kernel;
using namespace kernel::x86_64;

extern "C" void interrupt_dispatch(InterruptFrame* frame) {
    uint64_t v = frame->vector;
    if (v < vectors::EXCEPTIONS_END) {
        handle_exception(*frame);
        return;
    }
    if (v == vectors::SPURIOUS) {
        // The APIC sets no in-service bit for a spurious interrupt, so it must not get an EOI.
        g_spurious.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (v >= vectors::GSI_BASE && v < vectors::GSI_BASE + vectors::GSI_COUNT)
        irq::dispatch_gsi(uint32_t(v - vectors::GSI_BASE));
    else if (v >= vectors::MSI_BASE && v < vectors::MSI_BASE + vectors::MSI_COUNT)
        irq::dispatch_msi(uint32_t(v - vectors::MSI_BASE));
    else if (v == vectors::LAPIC_TIMER) {
        if (this_cpu().index == 0) { // every CPU's timer runs; one of them keeps the time
            irq::tick();
            log::release_stale_lines();
        }
        // The scheduler takes ticks once it runs on some CPU (phase 4); before that there is
        // nothing to wake or preempt.
        if (sched::online_cpus() > 0)
            sched::on_timer_tick();
    }
    else if (v == vectors::IPI_RESCHEDULE)
        sched::request_reschedule();
    else if (v == vectors::IPI_TLB_SHOOTDOWN)
        tlb::handle_shootdown_ipi();
    else if (v == vectors::LAPIC_ERROR)
        kprintln(LogColour::Warning, "lapic: error status {:#x}", lapic::error_status());
    else
        kprintln(LogColour::Warning, "interrupt: unexpected vector {:#x}", v);
    lapic::eoi();
    // After the EOI, so the next tick can arrive while another thread runs. The switch happens
    // on this thread's kernel stack with the frame still on it; switching back resumes here and
    // returns through the stub's iretq.
    if (sched::online_cpus() > 0)
        sched::preempt_if_requested();
    // Back to Ring 3 next: a killed thread (or one whose process is exiting) ends here, which
    // is how a kill reaches a thread that never makes a syscall. Interrupts are still off, as
    // ending a thread expects of this path.
    if (frame->from_user())
        sched::end_if_asked(*sched::current());
}
