#include "kernel/object/device_control.h"

#include "kernel/cap/cnode.h"
#include "kernel/object/pci_device.h"
#include "kernel/pci/bus.h"
#include "kernel/sync/spinlock.h"
#include "kernel/debug/log.h"

namespace kernel::object {

namespace {

// One PciDevice per inventory entry, made on first claim; one leaked reference each, so they
// live as long as the kernel (pci_device.h says why).
Spinlock g_devices_lock{LockRank::PciDevice};
PciDevice* g_devices[lib::pci::Inventory::MAX_DEVICES] GUARDED_BY(g_devices_lock) = {};

// The `index`-th function (counting from 0, in enumeration order) with these IDs.
lib::Result<lib::RefPtr<PciDevice>> device_for(uint16_t vendor, uint16_t device, uint64_t index) {
    const lib::pci::Inventory& inventory = pci::inventory();
    lib::pci::ConfigSpace* config = pci::config_space();
    if (!config)
        return lib::fail(mnos::Error::NotFound);
    for (size_t i = 0; i < inventory.size(); ++i) {
        const lib::pci::Device& d = inventory[i];
        if (d.vendor_id != vendor || d.device_id != device || d.header != lib::pci::HeaderKind::Device)
            continue;
        if (index-- != 0)
            continue;
        Guard guard(g_devices_lock);
        if (!g_devices[i])
            g_devices[i] = TRY(PciDevice::create(d, *config)).leak_ref();
        return lib::RefPtr<PciDevice>(g_devices[i]);
    }
    return lib::fail(mnos::Error::NotFound);
}

} // namespace

void release_devices_of(uint64_t pid) {
    // Copied out first: a device's lock has the rank of this one, so it is not taken inside.
    // The devices are never freed (one leaked reference each), so the pointers stay good.
    PciDevice* devices[lib::pci::Inventory::MAX_DEVICES];
    {
        Guard guard(g_devices_lock);
        for (size_t i = 0; i < lib::pci::Inventory::MAX_DEVICES; ++i)
            devices[i] = g_devices[i];
    }
    for (PciDevice* device : devices) {
        if (!device)
            continue;
        uint32_t released = device->release_if_pinned_by(pid);
        if (released == 0)
            continue;
        const lib::pci::Bdf& bdf = device->device().bdf;
        kprintln("pci: {:02x}:{:02x}.{}: process {} ended: bus mastering off, {} DMA frame(s) "
                 "released",
                 bdf.bus, bdf.device, bdf.function, pid, released);
    }
}

// (device control, vendor << 16 | device, index) -> pci-device slot with every right but
// REVOKE. The device's bus mastering is switched off first: a new owner starts from a device
// that cannot reach the previous owner's memory.
lib::Result<uint64_t> DeviceControl::invoke(syscall::Op<mnos::Syscall::ClaimPciDevice>,
                                            syscall::Invocation& call) {
    uint64_t ids = call.registers.arg1();
    if (ids > UINT32_MAX)
        return lib::fail(mnos::Error::InvalidArgument);
    if (call.cnode.used_slots() >= mnos::CNODE_SLOTS)
        return lib::fail(mnos::Error::NoSlot);
    auto device = TRY(device_for(uint16_t(ids >> 16), uint16_t(ids), call.registers.arg2()));
    device->reset_for_new_owner();
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(device),
                                         mnos::Rights::All & ~mnos::Rights::Revoke));
    return slot.index();
}

} // namespace kernel::object
