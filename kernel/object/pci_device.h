// PciDevice: one PCI function handed to its driver. Through it, and only through it, a driver
// reaches its device (docs/drivers.md):
//
//   PciConfigRead  (READ)   any of the first 256 bytes of configuration space
//   PciConfigWrite (WRITE)  the command register's decode, bus-master and INTx-disable bits
//   DeviceMmio     (READ)   an MmioRegion for pages inside one of its memory BARs
//   DeviceIrq      (WRITE)  an IrqLine for MSI-X table entry N (a kernel-allocated vector the
//                           kernel programs into the table); without MSI-X, entry 0 is the
//                           function's plain MSI vector, or its INTx line when it has no MSI
//   DmaAddress     (WRITE)  the physical address of a MemoryFrame the driver allocated or was
//                           sent, which the device keeps pinned until bus mastering is
//                           switched off, or until DmaRelease takes the pin back
//   DmaRelease     (WRITE)  lets one pin of the frame at a physical address go
//
// The pins are what make killing a driver during I/O safe: a dying driver's DMA frames would
// otherwise go back to the allocator while the device may still write into them. A pinned frame
// stays allocated (and charged) until the device can no longer reach it: the next owner's
// claim (DeviceControl's ClaimPciDevice), the end of the process that pinned it (teardown,
// release_devices_of) or the driver itself switches bus mastering off first. A frame pinned
// twice (two clients sharing one buffer) needs two DmaReleases: pins are counted.
//
// One object per function of the inventory, created on first claim and kept for the kernel's
// lifetime, like IrqLines: the MSI vectors bound to it and the IrqLines built on them survive a
// driver's restart, and the kernel's interrupt handlers never see it go.
#pragma once

#include <array>
#include <cstdint>

#include "kernel/object/irq_line.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_frame.h"
#include "kernel/sync/spinlock.h"
#include "kernel/syscall/invocation.h"
#include "lib/pci/config_space.h"
#include "lib/pci/enumerate.h"

namespace kernel::object {

class PciDevice final : public KernelObject, private IrqHooks {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::PciDevice;
    static constexpr uint32_t MAX_VECTORS = 8;    // MSI-X entries a driver may ask for
    // Frames a device may hold at once: a driver's own DMA memory and one buffer for each of
    // its clients (the block service has 32 places), with room to spare.
    static constexpr uint32_t MAX_DMA_PINS = 40;
    static constexpr uint32_t MAX_PIN_COUNT = 1024; // pins of one frame

    // `device` is the inventory's entry, which outlives every object (static storage).
    static lib::Result<lib::RefPtr<PciDevice>> create(const lib::pci::Device& device,
                                                      lib::pci::ConfigSpace& config) {
        return create_object<PciDevice>(device, config);
    }

    // ---- the invocations (abi/syscall.h); pci_device.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::PciConfigRead>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::PciConfigWrite>,
                                 syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::DeviceMmio>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::DeviceIrq>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::DmaAddress>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::DmaRelease>, syscall::Invocation&);

    const lib::pci::Device& device() const { return m_device; }

    // A new owner takes the device: bus mastering off, then every pinned frame let go.
    void reset_for_new_owner();
    // Process `pid` ended: if it pinned this device's frames, bus mastering off and every pin
    // let go, as for a new owner. The number of frames released (0 when it pinned none).
    uint32_t release_if_pinned_by(uint64_t pid);

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    PciDevice(const lib::pci::Device& device, lib::pci::ConfigSpace& config)
        : KernelObject(CAP_TYPE), m_device(device), m_config(config) {}

    // IrqHooks for the MSI-X and MSI lines: the "GSI" of such a line is its MSI-X table entry,
    // masked and unmasked through the entry's vector control word (MSI: 0, its mask bit).
    // Blocking is the kernel's as for any line.
    void mask(uint32_t entry) override;
    void unmask(uint32_t entry) override;
    void block_current(IrqWaiter& waiter) override;
    void wake(IrqWaiter& waiter) override;

    lib::Result<lib::RefPtr<IrqLine>> msix_line(uint32_t entry) REQUIRES(m_lock);
    void set_masked(uint32_t entry, bool masked);
    lib::Result<lib::RefPtr<IrqLine>> msi_line() REQUIRES(m_lock);
    lib::Result<lib::RefPtr<IrqLine>> intx_line() REQUIRES(m_lock);
    // The frames a release takes out of the pins. The caller drops them after m_lock: a
    // frame's last reference frees its pages, whose allocator takes locks ranked above ours.
    using Released = std::array<lib::RefPtr<MemoryFrame>, MAX_DMA_PINS>;
    void write_command(uint16_t value, Released& released) REQUIRES(m_lock);
    uint32_t release_pins(Released& released) REQUIRES(m_lock);

    const lib::pci::Device& m_device;
    lib::pci::ConfigSpace& m_config;
    Spinlock m_lock{LockRank::PciDevice};
    // The MSI-X table, mapped uncached into the kernel on the first DeviceIrq. Set once, under
    // m_lock, before the first MSI-X IrqLine exists; the hooks only run on such lines, so they
    // read it without the lock.
    volatile uint32_t* m_msix_table = nullptr;
    std::array<lib::RefPtr<IrqLine>, MAX_VECTORS> m_lines GUARDED_BY(m_lock);
    lib::RefPtr<IrqLine> m_intx GUARDED_BY(m_lock);
    lib::RefPtr<IrqLine> m_msi GUARDED_BY(m_lock); // without MSI-X, when the function has MSI
    std::array<lib::RefPtr<MemoryFrame>, MAX_DMA_PINS> m_pins GUARDED_BY(m_lock);
    std::array<uint32_t, MAX_DMA_PINS> m_pin_counts GUARDED_BY(m_lock) = {};
    // The process that took the pins (the last DmaAddress's caller), 0 for none; a restarted
    // driver is a new process, and its claim released the old one's pins.
    uint64_t m_pinned_by GUARDED_BY(m_lock) = 0;
};

} // namespace kernel::object
