#include "kernel/irq/irq_lines.h"

#include "kernel/acpi/platform.h"
#include "kernel/arch/x86_64/vectors.h"
#include "kernel/ipc/kernel_hooks.h"
#include "kernel/irq/irq.h"
#include "kernel/sync/spinlock.h"

namespace kernel::irq {

namespace {

// Serialises first use of a GSI. Lock order: this -> heap lock, irq's registration lock.
IrqSpinlock g_lines_lock{LockRank::IrqLineTable};
// One leaked reference per bound line: it lives as long as the kernel.
object::IrqLine* g_lines[x86_64::vectors::GSI_COUNT] GUARDED_BY(g_lines_lock) = {};

void on_line_interrupt(void* context) {
    // Sound: the context is the IrqLine registered below, which is never freed.
    static_cast<object::IrqLine*>(context)->fire();
}

} // namespace

lib::Result<lib::RefPtr<object::IrqLine>> irq_line(const acpi::IrqRoute& route) {
    if (route.gsi >= x86_64::vectors::GSI_COUNT)
        return lib::fail(lib::Error::InvalidArgument);
    Guard guard(g_lines_lock);
    if (object::IrqLine* line = g_lines[route.gsi])
        return lib::RefPtr<object::IrqLine>(line);
    auto line = TRY(object::IrqLine::create(route.gsi, ipc::kernel_irq_hooks(),
                                            route.level_triggered ? object::IrqTrigger::Level
                                                                  : object::IrqTrigger::Edge));
    // register_handler unmasks. A level-triggered line is masked until its first wait (an
    // interrupt in the moment before that is not lost: fire() masks the line and latches it);
    // an edge-triggered one stays unmasked for good (irq_line.h says why).
    TRY(register_handler(route, on_line_interrupt, line.get()));
    if (route.level_triggered)
        TRY(set_masked(route.gsi, true));
    g_lines[route.gsi] = lib::RefPtr<object::IrqLine>(line).leak_ref();
    return line;
}

lib::Result<lib::RefPtr<object::IrqLine>> isa_irq_line(uint8_t isa_irq) {
    return irq_line(TRY(acpi::platform_madt().isa_irq_route(isa_irq)));
}

} // namespace kernel::irq
