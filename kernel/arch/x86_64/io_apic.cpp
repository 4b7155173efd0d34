#include "kernel/arch/x86_64/io_apic.h"

#include "kernel/mm/memory.h"
#include "kernel/sync/spinlock.h"

namespace kernel::x86_64::io_apic {

namespace {

// Indirect register access (82093AA datasheet, 3.1): write the register number to IOREGSEL at
// offset 0, then read or write IOWIN at offset 0x10.
constexpr uint32_t IOREGSEL = 0x00 / 4, IOWIN = 0x10 / 4;
constexpr uint32_t REG_VERSION = 0x01;
constexpr uint32_t REG_REDIRECTION_BASE = 0x10; // entry n: low word 0x10 + 2n, high 0x11 + 2n
constexpr uint32_t MASK_BIT = 1u << 16;         // in the low word

struct Chip {
    volatile uint32_t* mmio = nullptr;
    uint32_t gsi_base = 0;
    uint32_t inputs = 0;
};

// IOREGSEL/IOWIN is a two-step protocol: one lock keeps CPUs (and handlers) from interleaving.
// Taken under the IRQ registration lock; it maps the chips' registers under itself at boot.
IrqSpinlock g_lock{LockRank::IoApic};
Chip g_chips[acpi::Madt::MAX_IO_APICS] GUARDED_BY(g_lock);
unsigned g_chip_count GUARDED_BY(g_lock) = 0;

// `mmio` maps the chip's register window, which holds IOREGSEL and IOWIN; both are 32-bit
// registers accessed with 32-bit loads and stores.
uint32_t read(const Chip& chip, uint32_t reg) REQUIRES(g_lock) {
    chip.mmio[IOREGSEL] = reg;
    return chip.mmio[IOWIN];
}

void write(const Chip& chip, uint32_t reg, uint32_t value) REQUIRES(g_lock) {
    chip.mmio[IOREGSEL] = reg;
    chip.mmio[IOWIN] = value;
}

void write_entry(const Chip& chip, uint32_t pin, uint64_t raw) REQUIRES(g_lock) {
    // Mask first, then the destination, then the low word with the final mask bit, so the
    // entry is never live with a half-written destination.
    write(chip, REG_REDIRECTION_BASE + 2 * pin, uint32_t(raw) | MASK_BIT);
    write(chip, REG_REDIRECTION_BASE + 2 * pin + 1, uint32_t(raw >> 32));
    write(chip, REG_REDIRECTION_BASE + 2 * pin, uint32_t(raw));
}

uint64_t read_entry(const Chip& chip, uint32_t pin) REQUIRES(g_lock) {
    uint64_t low = read(chip, REG_REDIRECTION_BASE + 2 * pin);
    uint64_t high = read(chip, REG_REDIRECTION_BASE + 2 * pin + 1);
    return low | (high << 32);
}

const Chip* chip_for(uint32_t gsi, uint32_t& pin) REQUIRES(g_lock) {
    for (unsigned i = 0; i < g_chip_count; ++i) {
        const Chip& c = g_chips[i];
        if (gsi >= c.gsi_base && gsi - c.gsi_base < c.inputs) {
            pin = gsi - c.gsi_base;
            return &c;
        }
    }
    return nullptr;
}

} // namespace

lib::Result<unsigned> init(acpi::Madt& madt) {
    Guard guard(g_lock);
    auto apics = madt.io_apics();
    for (size_t i = 0; i < apics.size() && g_chip_count < acpi::Madt::MAX_IO_APICS; ++i) {
        lib::VirtAddr virt = TRY(mm::map_mmio(apics[i].address, lib::PAGE_SIZE));
        Chip& chip = g_chips[g_chip_count];
        // The register window is two 32-bit registers 16 bytes apart inside the mapped page.
        chip.mmio = reinterpret_cast<volatile uint32_t*>(virt.value());
        chip.gsi_base = apics[i].gsi_base;
        // IOAPICVER bits 16-23: the index of the last redirection entry.
        chip.inputs = ((read(chip, REG_VERSION) >> 16) & 0xff) + 1;
        madt.set_io_apic_input_count(i, chip.inputs);
        for (uint32_t pin = 0; pin < chip.inputs; ++pin)
            write_entry(chip, pin, RedirectionEntry{}.encode()); // masked
        ++g_chip_count;
    }
    return g_chip_count;
}

lib::Result<> set_entry(uint32_t gsi, const RedirectionEntry& entry) {
    Guard guard(g_lock);
    uint32_t pin = 0;
    const Chip* chip = chip_for(gsi, pin);
    if (!chip)
        return lib::fail(lib::Error::NotFound);
    write_entry(*chip, pin, entry.encode());
    return {};
}

lib::Result<RedirectionEntry> entry(uint32_t gsi) {
    Guard guard(g_lock);
    uint32_t pin = 0;
    const Chip* chip = chip_for(gsi, pin);
    if (!chip)
        return lib::fail(lib::Error::NotFound);
    return RedirectionEntry::decode(read_entry(*chip, pin));
}

lib::Result<> set_masked(uint32_t gsi, bool masked) {
    Guard guard(g_lock);
    uint32_t pin = 0;
    const Chip* chip = chip_for(gsi, pin);
    if (!chip)
        return lib::fail(lib::Error::NotFound);
    // The low word alone: the destination stays as it is, so there is no half-written entry to
    // guard against, and write_entry's mask-first step must not be taken here. An edge that
    // arrives while a pin is masked is dropped, not latched; an edge-triggered line that
    // IrqLine keeps unmasked would lose one each time it is "unmasked" again through a
    // masked moment, and with its source still asserting it would never interrupt again (seen
    // as COM1's transmitter going quiet for good).
    uint32_t reg = REG_REDIRECTION_BASE + 2 * pin;
    uint32_t low = read(*chip, reg);
    uint32_t wanted = masked ? low | MASK_BIT : low & ~MASK_BIT;
    if (wanted != low)
        write(*chip, reg, wanted);
    return {};
}

} // namespace kernel::x86_64::io_apic
