#include "kernel/object/irq_control.h"

#include "kernel/cap/cnode.h"
#include "kernel/irq/irq_lines.h"

namespace kernel::object {

namespace {
// ISA IRQs 0..15; 2 is the PIC cascade, which never interrupts on its own.
constexpr uint64_t ISA_IRQS = 16;
constexpr uint64_t CASCADE_IRQ = 2;
} // namespace

// (irq control, isa irq) -> irq-line slot with every right. The line is routed through the
// MADT's overrides; the same line claimed twice is the same IrqLine (its first waiter holds it).
lib::Result<uint64_t> IrqControl::invoke(syscall::Op<mnos::Syscall::ClaimIrq>,
                                         syscall::Invocation& call) {
    uint64_t isa_irq = call.registers.arg1();
    if (isa_irq >= ISA_IRQS || isa_irq == CASCADE_IRQ)
        return lib::fail(mnos::Error::InvalidArgument);
    if (call.cnode.used_slots() >= mnos::CNODE_SLOTS)
        return lib::fail(mnos::Error::NoSlot);
    auto line = TRY(irq::isa_irq_line(uint8_t(isa_irq)));
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(line), mnos::Rights::All));
    return slot.index();
}

} // namespace kernel::object
