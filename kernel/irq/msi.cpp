#include "kernel/irq/msi.h"

#include <atomic>

#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/vectors.h"
#include "kernel/debug/log.h"
#include "kernel/sync/spinlock.h"

namespace kernel::irq {

namespace {

namespace vectors = x86_64::vectors;

constexpr uint64_t MSI_ADDRESS_BASE = 0xfee00000;
constexpr unsigned MSI_DESTINATION_SHIFT = 12;

struct Binding {
    Handler handler = nullptr;
    void* context = nullptr;
};

// Written once per vector before the vector is handed out, so the device cannot raise it
// before the binding is visible; `g_next` publishes it (release) and dispatch reads it after
// the interrupt, which orders after the device's programming and hence after the store.
Binding g_bindings[vectors::MSI_COUNT];
std::atomic<uint32_t> g_next{0};
IrqSpinlock g_lock{LockRank::IrqRegistration};

} // namespace

lib::Result<MsiMessage> allocate_msi(Handler handler, void* context) {
    if (!handler)
        return lib::fail(lib::Error::InvalidArgument);
    uint32_t index;
    {
        Guard guard(g_lock);
        index = g_next.load(std::memory_order_relaxed);
        if (index >= vectors::MSI_COUNT)
            return lib::fail(lib::Error::OutOfMemory);
        g_bindings[index] = {handler, context};
        g_next.store(index + 1, std::memory_order_release);
    }
    // The boot processor takes every device interrupt (as irq.cpp routes the I/O APIC's).
    uint64_t apic = x86_64::cpu_arch(0).apic_id;
    return MsiMessage{MSI_ADDRESS_BASE | (apic << MSI_DESTINATION_SHIFT),
                      uint32_t(vectors::MSI_BASE + index)};
}

void dispatch_msi(uint32_t index) {
    if (index >= g_next.load(std::memory_order_acquire)) {
        kprintln(LogColour::Warning, "irq: MSI vector {:#x} nobody asked for",
                 vectors::MSI_BASE + index);
        return;
    }
    const Binding& binding = g_bindings[index];
    binding.handler(binding.context);
}

} // namespace kernel::irq
