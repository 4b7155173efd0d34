// The MADT ("APIC" table): which CPUs exist, where the local APICs and I/O APICs are, and how
// legacy ISA IRQs are wired to global system interrupts (GSIs). Parsed into a fixed-capacity
// object because it is needed before any heap exists (SMP bring-up and the first timer IRQ).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "kernel/acpi/diagnostic.h"
#include "kernel/acpi/physical_reader.h"
#include "lib/address.h"
#include "lib/result.h"

namespace kernel::acpi {

// MPS INTI flags as stored (bits 0-1 polarity, bits 2-3 trigger mode). "BusDefault" means
// "conforms to the bus": for ISA that is active-high, edge-triggered.
enum class Polarity : uint8_t { BusDefault = 0, ActiveHigh = 1, Reserved = 2, ActiveLow = 3 };
enum class TriggerMode : uint8_t { BusDefault = 0, Edge = 1, Reserved = 2, Level = 3 };

struct InterruptFlags {
    Polarity polarity = Polarity::BusDefault;
    TriggerMode trigger = TriggerMode::BusDefault;

    static constexpr InterruptFlags decode(uint16_t raw) {
        return {static_cast<Polarity>(raw & 3), static_cast<TriggerMode>((raw >> 2) & 3)};
    }
    constexpr bool operator==(const InterruptFlags&) const = default;
};

// A processor from a Processor Local APIC (type 0) or Processor Local x2APIC (type 9) entry.
// Only processors that are enabled or online-capable are kept: the rest must not be started.
struct Processor {
    uint32_t apic_id = 0;  // local (x2)APIC ID, what INIT/SIPI and IPIs are addressed to
    uint32_t acpi_uid = 0; // ACPI processor UID, what the NMI entries refer to
    bool enabled = false;  // usable now; otherwise only online-capable (may be hot-added)
    bool from_x2apic_entry = false;
};

struct IoApic {
    uint8_t id = 0;
    lib::PhysAddr address; // MMIO base of IOREGSEL/IOWIN
    uint32_t gsi_base = 0; // the GSI of its input 0
    // Number of redirection entries. The MADT does not say; 0 means unknown until the I/O APIC
    // driver reads IOAPICVER and calls Madt::set_io_apic_input_count.
    uint32_t input_count = 0;
};

// Interrupt Source Override (type 2): bus-relative `source` (an ISA IRQ when bus == 0) is
// wired to `gsi` with `flags`.
struct InterruptOverride {
    uint8_t bus = 0;
    uint8_t source = 0;
    uint32_t gsi = 0;
    InterruptFlags flags;
};

// NMI Source (type 3): a GSI that must be programmed as NMI.
struct NmiSource {
    uint32_t gsi = 0;
    InterruptFlags flags;
};

// Local APIC NMI (type 4) or Local x2APIC NMI (type 0xA): the LINT pin NMI arrives on.
struct LocalApicNmi {
    static constexpr uint32_t ALL_PROCESSORS = 0xffffffff; // type 4's 0xff is widened to this
    uint32_t acpi_uid = ALL_PROCESSORS;
    uint8_t lint = 0; // 0 or 1
    InterruptFlags flags;
};

// A resolved interrupt line: no BusDefault left, ready to program into an I/O APIC.
struct IrqRoute {
    uint32_t gsi = 0;
    bool active_low = false;
    bool level_triggered = false;
    constexpr bool operator==(const IrqRoute&) const = default;
};

class Madt {
public:
    static constexpr size_t MAX_PROCESSORS = 256;
    static constexpr size_t MAX_IO_APICS = 16;
    static constexpr size_t MAX_OVERRIDES = 48;
    static constexpr size_t MAX_NMI_SOURCES = 16;
    static constexpr size_t MAX_LOCAL_APIC_NMIS = 16;
    static constexpr uint64_t DEFAULT_LOCAL_APIC_ADDRESS = 0xfee00000;
    static constexpr size_t ISA_IRQ_COUNT = 16;

    // The topology to run on when there is no usable MADT: the boot processor alone (whose
    // APIC ID the caller reads from its local APIC), the architectural local APIC address,
    // dual 8259 PICs present, no I/O APIC, and identity ISA IRQ routing.
    static Madt legacy_fallback(uint32_t bsp_apic_id = 0);

    bool from_firmware() const { return m_from_firmware; }
    lib::PhysAddr local_apic_address() const { return m_local_apic_address; }
    // MADT flag PCAT_COMPAT: dual 8259s are present and must be masked before the APICs are used.
    bool has_legacy_pics() const { return m_has_legacy_pics; }

    std::span<const Processor> processors() const {
        return {m_processors.data(), m_processor_count};
    }
    std::span<const IoApic> io_apics() const { return {m_io_apics.data(), m_io_apic_count}; }
    std::span<const InterruptOverride> overrides() const {
        return {m_overrides.data(), m_override_count};
    }
    std::span<const NmiSource> nmi_sources() const {
        return {m_nmi_sources.data(), m_nmi_source_count};
    }
    std::span<const LocalApicNmi> local_apic_nmis() const {
        return {m_local_apic_nmis.data(), m_local_apic_nmi_count};
    }
    // Entries that did not fit the fixed capacity, or were duplicates/unusable, so were left out.
    uint32_t dropped_entries() const { return m_dropped_entries; }
    uint32_t unusable_processors() const { return m_unusable_processors; }
    uint32_t skipped_unknown_entries() const { return m_skipped_unknown; }

    // Where ISA IRQ `irq` (0-15) arrives: the override for bus 0 if there is one, else the
    // identity GSI; BusDefault polarity/trigger resolve to ISA's active-high, edge.
    // InvalidArgument for irq >= 16.
    lib::Result<IrqRoute> isa_irq_route(uint8_t irq) const;

    // The I/O APIC whose inputs include `gsi`: the one with the highest gsi_base <= gsi, and,
    // once its input count is known, gsi < gsi_base + input_count. Null if none.
    const IoApic* io_apic_for_gsi(uint32_t gsi) const;

    // Records the input count the I/O APIC driver read from IOAPICVER. False if no such index.
    bool set_io_apic_input_count(size_t index, uint32_t count);

    // Turns this object into legacy_fallback(bsp_apic_id) in place (no several-KiB temporary).
    void reset_to_legacy(uint32_t bsp_apic_id);

private:
    friend AcpiResult<> parse_madt(std::span<const uint8_t> table, Madt& out);
    static AcpiResult<> parse_into(std::span<const uint8_t> table, Madt& madt);

    void add_processor(const Processor& processor, bool usable);

    lib::PhysAddr m_local_apic_address{DEFAULT_LOCAL_APIC_ADDRESS};
    bool m_has_legacy_pics = true;
    bool m_from_firmware = false;
    std::array<Processor, MAX_PROCESSORS> m_processors{};
    size_t m_processor_count = 0;
    std::array<IoApic, MAX_IO_APICS> m_io_apics{};
    size_t m_io_apic_count = 0;
    std::array<InterruptOverride, MAX_OVERRIDES> m_overrides{};
    size_t m_override_count = 0;
    std::array<NmiSource, MAX_NMI_SOURCES> m_nmi_sources{};
    size_t m_nmi_source_count = 0;
    std::array<LocalApicNmi, MAX_LOCAL_APIC_NMIS> m_local_apic_nmis{};
    size_t m_local_apic_nmi_count = 0;
    uint32_t m_dropped_entries = 0;
    uint32_t m_unusable_processors = 0;
    uint32_t m_skipped_unknown = 0;
};

// Parses a MADT (the whole table, as returned by TableDirectory::find("APIC")) into `out`.
// Re-checks the header (signature, declared length == span size, checksum), then every entry:
// length >= 2, inside the table, and at least the size of its type's layout; unknown types are
// skipped by their length. On failure `out` is left as legacy_fallback(0).
// It is an out-parameter because a Madt is several KiB: the kernel keeps one in static storage
// rather than returning it through its boot stack.
AcpiResult<> parse_madt(std::span<const uint8_t> table, Madt& out);

// Which root table a successfully loaded MADT came through, and why the XSDT was passed over
// if it was: worth a log line, since it means the firmware's XSDT is broken or absent.
struct MadtOrigin {
    bool via_xsdt = false;
    std::optional<AcpiError> xsdt_rejection;
};

// The whole path for the kernel: RSDP -> root table -> MADT -> `out`. Never leaves `out`
// unusable: on any failure it holds legacy_fallback(bsp_apic_id) and the error says why.
AcpiResult<MadtOrigin> load_madt(const PhysicalReader& reader, lib::PhysAddr rsdp_address,
                                 bool rsdp_is_xsdp, uint32_t bsp_apic_id, Madt& out);

} // namespace kernel::acpi
