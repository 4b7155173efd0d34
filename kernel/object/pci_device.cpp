#include "kernel/object/pci_device.h"

#include "kernel/cap/cnode.h"
#include "kernel/ipc/kernel_hooks.h"
#include "kernel/irq/irq_lines.h"
#include "kernel/irq/msi.h"
#include "kernel/mm/memory.h"
#include "kernel/object/mmio_region.h"
#include "kernel/object/process.h"
#include "kernel/object/thread.h"
#include "lib/pci/device_access.h"

namespace kernel::object {

namespace {

using mnos::Error;
using mnos::Rights;

// MSI-X (PCI Local Bus Specification 3.0, section 6.8.2): the message control word follows
// the capability header; each table entry is four dwords.
constexpr uint16_t MSIX_CONTROL = 2;
constexpr uint16_t MSIX_ENABLE = 1u << 15;
constexpr uint16_t MSIX_FUNCTION_MASK = 1u << 14;
constexpr uint32_t ENTRY_DWORDS = 4;
constexpr uint32_t ENTRY_ADDRESS_LOW = 0, ENTRY_ADDRESS_HIGH = 1, ENTRY_DATA = 2,
                   ENTRY_CONTROL = 3;
constexpr uint32_t ENTRY_MASKED = 1;

// MSI (PCI Local Bus Specification 3.0, section 6.8.1): message control after the header, then
// the address (a second dword when 64-bit), the 16-bit data and, with per-vector masking, the
// mask bits.
constexpr uint16_t MSI_CONTROL = 2, MSI_ADDRESS = 4;
constexpr uint16_t MSI_ENABLE = 1u << 0;
constexpr uint16_t MSI_MULTIPLE_ENABLE = 7u << 4; // 0 there: one vector
uint16_t msi_data_offset(const lib::pci::Msi& msi) { return msi.address_64 ? 12 : 8; }
uint16_t msi_mask_offset(const lib::pci::Msi& msi) { return msi.address_64 ? 16 : 12; }

// What a capability made from a device capability may carry: use it and pass it on.
constexpr Rights DERIVED_RIGHTS = Rights::Read | Rights::Write | Rights::Grant;

void on_msi(void* context) {
    // Sound: the context is an IrqLine a PciDevice holds for the kernel's lifetime.
    static_cast<IrqLine*>(context)->fire();
}

lib::Result<uint64_t> insert_derived(syscall::Invocation& call, lib::RefPtr<KernelObject> object) {
    if (call.cnode.used_slots() >= mnos::CNODE_SLOTS)
        return lib::fail(Error::NoSlot);
    mnos::CapSlot slot =
        TRY(cap::insert(call.cnode, std::move(object), call.target.rights & DERIVED_RIGHTS));
    return slot.index();
}

} // namespace

// (device, offset, width) -> the value
lib::Result<uint64_t> PciDevice::invoke(syscall::Op<mnos::Syscall::PciConfigRead>,
                                        syscall::Invocation& call) {
    uint64_t offset = call.registers.arg1();
    uint64_t width = call.registers.arg2();
    TRY(lib::pci::check_config_read(offset, width));
    uint32_t dword = m_config.read32(m_device.bdf, uint16_t(offset & ~3u));
    uint32_t value = dword >> ((offset & 3) * 8);
    if (width < 4)
        value &= (1u << (width * 8)) - 1;
    return value;
}

// (device, offset, width, value) -> 0: the command register only (device_access.h).
lib::Result<uint64_t> PciDevice::invoke(syscall::Op<mnos::Syscall::PciConfigWrite>,
                                        syscall::Invocation& call) {
    uint64_t value = call.registers.arg3();
    TRY(lib::pci::check_config_write(call.registers.arg1(), call.registers.arg2(), value));
    Released released; // declared first: dropped after the guard
    Guard guard(m_lock);
    write_command(uint16_t(value), released);
    return 0;
}

// (device, physical address, pages) -> mmio-region slot
lib::Result<uint64_t> PciDevice::invoke(syscall::Op<mnos::Syscall::DeviceMmio>,
                                        syscall::Invocation& call) {
    uint64_t phys = call.registers.arg1();
    uint64_t pages = call.registers.arg2();
    TRY(lib::pci::check_mmio_range(m_device, phys, pages));
    auto region = TRY(MmioRegion::create(lib::PhysAddr(phys), pages));
    return insert_derived(call, std::move(region));
}

// (device, MSI-X entry) -> irq-line slot
lib::Result<uint64_t> PciDevice::invoke(syscall::Op<mnos::Syscall::DeviceIrq>,
                                        syscall::Invocation& call) {
    uint64_t entry = call.registers.arg1();
    lib::RefPtr<IrqLine> line;
    {
        Guard guard(m_lock);
        if (m_device.caps.msix) {
            if (entry >= m_device.caps.msix->table_size || entry >= MAX_VECTORS)
                return lib::fail(Error::InvalidArgument);
            line = TRY(msix_line(uint32_t(entry)));
        } else {
            // One vector without MSI-X: plain MSI where the function has it, else INTx.
            if (entry != 0)
                return lib::fail(Error::InvalidArgument);
            line = m_device.caps.msi ? TRY(msi_line()) : TRY(intx_line());
        }
    }
    return insert_derived(call, std::move(line));
}

// (device, memory-frame slot) -> the frame's physical address; the frame stays pinned (once
// more, when it already was)
lib::Result<uint64_t> PciDevice::invoke(syscall::Op<mnos::Syscall::DmaAddress>,
                                        syscall::Invocation& call) {
    auto frame = TRY(call.object_argument<MemoryFrame>(call.registers.arg1(),
                                                       Rights::Read | Rights::Write));
    // Device memory (the framebuffer) is not RAM a device should be pointed at.
    if (!frame->owns_pages())
        return lib::fail(Error::InvalidArgument);
    Guard guard(m_lock);
    size_t free_pin = MAX_DMA_PINS;
    for (size_t i = 0; i < MAX_DMA_PINS; ++i) {
        if (m_pins[i].get() == frame.get()) {
            if (m_pin_counts[i] >= MAX_PIN_COUNT)
                return lib::fail(Error::NoSlot);
            ++m_pin_counts[i];
            return frame->base().value();
        }
        if (!m_pins[i] && free_pin == MAX_DMA_PINS)
            free_pin = i;
    }
    if (free_pin == MAX_DMA_PINS)
        return lib::fail(Error::NoSlot);
    uint64_t address = frame->base().value();
    m_pins[free_pin] = std::move(frame);
    m_pin_counts[free_pin] = 1;
    if (call.caller && call.caller->process)
        m_pinned_by = call.caller->process->pid();
    return address;
}

// (device, physical address a DmaAddress returned) -> the frame's pins left. The driver says
// when its device is done with a frame; the kernel cannot know (DMA is not confined, drivers.md).
lib::Result<uint64_t> PciDevice::invoke(syscall::Op<mnos::Syscall::DmaRelease>,
                                        syscall::Invocation& call) {
    uint64_t address = call.registers.arg1();
    lib::RefPtr<MemoryFrame> last; // the frame's last reference, if ours: dropped unlocked
    uint32_t left = 0;
    {
        Guard guard(m_lock);
        size_t index = MAX_DMA_PINS;
        for (size_t i = 0; i < MAX_DMA_PINS; ++i)
            if (m_pins[i] && m_pins[i]->base().value() == address)
                index = i;
        if (index == MAX_DMA_PINS)
            return lib::fail(Error::NotFound);
        left = --m_pin_counts[index];
        if (left == 0)
            last = std::move(m_pins[index]);
    }
    return left;
}

void PciDevice::reset_for_new_owner() {
    Released released; // declared first: dropped after the guard
    Guard guard(m_lock);
    uint16_t command = m_config.read16(m_device.bdf, lib::pci::reg::COMMAND);
    write_command(uint16_t(command & ~lib::pci::COMMAND_BUS_MASTER), released);
}

uint32_t PciDevice::release_if_pinned_by(uint64_t pid) {
    Released released; // declared first: dropped after the guard (at teardown the pins are
                       // often the frames' last references)
    Guard guard(m_lock);
    if (pid == 0 || m_pinned_by != pid)
        return 0;
    // Bus mastering off first: only then can the device no longer reach the frames.
    uint16_t command = m_config.read16(m_device.bdf, lib::pci::reg::COMMAND);
    m_config.write16(m_device.bdf, lib::pci::reg::COMMAND,
                     uint16_t(command & ~lib::pci::COMMAND_BUS_MASTER));
    return release_pins(released);
}

void PciDevice::write_command(uint16_t value, Released& released) {
    m_config.write16(m_device.bdf, lib::pci::reg::COMMAND, value);
    // With bus mastering off the device can no longer reach the pinned frames.
    if (!(value & lib::pci::COMMAND_BUS_MASTER))
        (void)release_pins(released);
}

uint32_t PciDevice::release_pins(Released& released) {
    uint32_t count = 0;
    for (size_t i = 0; i < MAX_DMA_PINS; ++i) {
        count += m_pins[i] ? 1 : 0;
        released[i] = std::move(m_pins[i]);
        m_pin_counts[i] = 0;
    }
    m_pinned_by = 0;
    return count;
}

lib::Result<lib::RefPtr<IrqLine>> PciDevice::msix_line(uint32_t entry) {
    if (m_lines[entry])
        return m_lines[entry];
    const lib::pci::Msix& msix = *m_device.caps.msix;
    if (!m_msix_table) {
        // Enumeration checked that the table lies inside this memory BAR.
        const lib::pci::Bar& bar = m_device.bars[msix.table_bar];
        lib::VirtAddr table = TRY(mm::map_mmio(lib::PhysAddr(bar.base + msix.table_offset),
                                               size_t(msix.table_size) * ENTRY_DWORDS * 4));
        // Sound: map_mmio mapped the table uncached and writable for the kernel's lifetime.
        m_msix_table = reinterpret_cast<volatile uint32_t*>(table.value());
    }
    // Edge: a message cannot be "still asserted", so the entry never needs masking while the
    // holder handles it (irq_line.h); a message while nobody waits is latched.
    auto line = TRY(IrqLine::create(entry, *this, IrqTrigger::Edge));
    irq::MsiMessage message = TRY(irq::allocate_msi(on_msi, line.get()));
    // Sound: the table maps table_size entries of four dwords, and DeviceIrq checked entry <
    // table_size. Masked until the first waiter unmasks it; address and data written while
    // masked, so the device never sends a half-written message.
    volatile uint32_t* slot = m_msix_table + entry * ENTRY_DWORDS;
    slot[ENTRY_CONTROL] = ENTRY_MASKED;
    slot[ENTRY_ADDRESS_LOW] = uint32_t(message.address);
    slot[ENTRY_ADDRESS_HIGH] = uint32_t(message.address >> 32);
    slot[ENTRY_DATA] = message.data;
    uint16_t at = uint16_t(msix.offset + MSIX_CONTROL);
    uint16_t control = m_config.read16(m_device.bdf, at);
    m_config.write16(m_device.bdf, at, uint16_t((control | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK));
    m_lines[entry] = line;
    return line;
}

lib::Result<lib::RefPtr<IrqLine>> PciDevice::msi_line() {
    if (m_msi)
        return m_msi;
    const lib::pci::Msi& msi = *m_device.caps.msi;
    // Edge, as an MSI-X entry's line: a message cannot stay asserted, and one while nobody
    // waits is latched.
    auto line = TRY(IrqLine::create(0, *this, IrqTrigger::Edge));
    irq::MsiMessage message = TRY(irq::allocate_msi(on_msi, line.get()));
    // Address and data first, enable last, so the function never sends a half-set message; one
    // vector (Multiple Message Enable 0), whatever it could use.
    uint8_t at = msi.offset;
    if (msi.per_vector_masking)
        m_config.write32(m_device.bdf, uint16_t(at + msi_mask_offset(msi)), 1);
    m_config.write32(m_device.bdf, uint16_t(at + MSI_ADDRESS), uint32_t(message.address));
    if (msi.address_64)
        m_config.write32(m_device.bdf, uint16_t(at + MSI_ADDRESS + 4),
                         uint32_t(message.address >> 32));
    m_config.write16(m_device.bdf, uint16_t(at + msi_data_offset(msi)), uint16_t(message.data));
    uint16_t control = m_config.read16(m_device.bdf, uint16_t(at + MSI_CONTROL));
    m_config.write16(m_device.bdf, uint16_t(at + MSI_CONTROL),
                     uint16_t((control & ~MSI_MULTIPLE_ENABLE) | MSI_ENABLE));
    m_msi = line;
    return line;
}

lib::Result<lib::RefPtr<IrqLine>> PciDevice::intx_line() {
    if (m_intx)
        return m_intx;
    if (m_device.interrupt_pin == 0)
        return lib::fail(Error::Unsupported);
    // Without an AML interpreter there is no _PRT: the line firmware wrote is taken as the GSI,
    // which holds on QEMU's pc (PIIX links on GSIs 10 and 11, level, active high). PCI INTx is
    // level-triggered and may be shared.
    acpi::IrqRoute route{.gsi = m_device.interrupt_line, .active_low = false,
                         .level_triggered = true};
    m_intx = TRY(irq::irq_line(route));
    return m_intx;
}

void PciDevice::set_masked(uint32_t entry, bool masked) {
    if (!m_device.caps.msix) {
        // The plain MSI line: its mask bit where the function has per-vector masking. Without
        // it there is nothing to mask (clearing MSI enable would fall back to INTx); an edge
        // line is only ever masked before its first wait and when it goes, and a message then
        // is latched or harmless.
        const lib::pci::Msi& msi = *m_device.caps.msi;
        if (msi.per_vector_masking)
            m_config.write32(m_device.bdf, uint16_t(msi.offset + msi_mask_offset(msi)),
                             masked ? 1 : 0);
        return;
    }
    // Sound: set before any MSI-X line existed; an entry is four dwords.
    m_msix_table[entry * ENTRY_DWORDS + ENTRY_CONTROL] = masked ? ENTRY_MASKED : 0;
}

void PciDevice::mask(uint32_t entry) { set_masked(entry, true); }

void PciDevice::unmask(uint32_t entry) { set_masked(entry, false); }

void PciDevice::block_current(IrqWaiter& waiter) { ipc::kernel_irq_hooks().block_current(waiter); }

void PciDevice::wake(IrqWaiter& waiter) { ipc::kernel_irq_hooks().wake(waiter); }

} // namespace kernel::object
