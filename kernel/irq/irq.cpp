#include "kernel/irq/irq.h"

#include <atomic>

#include "kernel/acpi/platform.h"
#include "kernel/arch/x86_64/io_apic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/vectors.h"
#include "kernel/debug/log.h"
#include "kernel/sync/spinlock.h"

namespace kernel::irq {

namespace {

namespace vectors = x86_64::vectors;

// Guards handler/context pairs: dispatch reads both under it so it never sees a half-updated
// registration. An IrqSpinlock, since dispatch runs in interrupt context.
IrqSpinlock g_lock{LockRank::IrqRegistration};

struct Slot {
    Handler handler GUARDED_BY(g_lock) = nullptr;
    void* context GUARDED_BY(g_lock) = nullptr;
    std::atomic<uint64_t> delivered{0};
};

Slot g_slots[vectors::GSI_COUNT];

} // namespace

lib::Result<> register_handler(const acpi::IrqRoute& route, Handler handler, void* context) {
    if (route.gsi >= vectors::GSI_COUNT || handler == nullptr)
        return lib::fail(lib::Error::InvalidArgument);
    Guard guard(g_lock);
    Slot& slot = g_slots[route.gsi];
    if (slot.handler != nullptr)
        return lib::fail(lib::Error::Exists);
    x86_64::RedirectionEntry entry{
        .vector = uint8_t(vectors::GSI_BASE + route.gsi),
        .active_low = route.active_low,
        .level_triggered = route.level_triggered,
        .masked = false,
        // The boot processor takes every device interrupt until there is a reason to spread.
        .destination = uint8_t(x86_64::cpu_arch(0).apic_id),
    };
    slot.handler = handler;
    slot.context = context;
    if (auto programmed = x86_64::io_apic::set_entry(route.gsi, entry); !programmed) {
        slot.handler = nullptr;
        slot.context = nullptr;
        return programmed;
    }
    return {};
}

lib::Result<acpi::IrqRoute> register_isa_handler(uint8_t isa_irq, Handler handler, void* context) {
    acpi::IrqRoute route = TRY(acpi::platform_madt().isa_irq_route(isa_irq));
    TRY(register_handler(route, handler, context));
    return route;
}

lib::Result<> set_masked(uint32_t gsi, bool masked) {
    if (gsi >= vectors::GSI_COUNT)
        return lib::fail(lib::Error::InvalidArgument);
    // Under the registration lock, so a line is never unmasked after its handler went away.
    Guard guard(g_lock);
    if (g_slots[gsi].handler == nullptr)
        return lib::fail(lib::Error::NotFound);
    return x86_64::io_apic::set_masked(gsi, masked);
}

lib::Result<> unregister_handler(uint32_t gsi) {
    if (gsi >= vectors::GSI_COUNT)
        return lib::fail(lib::Error::InvalidArgument);
    Guard guard(g_lock);
    Slot& slot = g_slots[gsi];
    if (slot.handler == nullptr)
        return lib::fail(lib::Error::NotFound);
    TRY(x86_64::io_apic::set_masked(gsi, true));
    slot.handler = nullptr;
    slot.context = nullptr;
    return {};
}

uint64_t delivered(uint32_t gsi) {
    return gsi < vectors::GSI_COUNT ? g_slots[gsi].delivered.load(std::memory_order_relaxed) : 0;
}

void dispatch_gsi(uint32_t gsi) {
    Handler handler;
    void* context;
    {
        Guard guard(g_lock);
        handler = g_slots[gsi].handler;
        context = g_slots[gsi].context;
    }
    if (handler == nullptr) {
        // Nobody asked for it: mask the line so a level-triggered source cannot storm.
        (void)x86_64::io_apic::set_masked(gsi, true);
        kprintln(LogColour::Warning, "irq: GSI {} with no handler; masked", gsi);
        return;
    }
    g_slots[gsi].delivered.fetch_add(1, std::memory_order_relaxed);
    handler(context);
}

} // namespace kernel::irq
