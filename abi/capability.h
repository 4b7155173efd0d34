// Capability types, rights and slots: the vocabulary every syscall that names a kernel object
// uses. Shared by the kernel, userspace and the host tests; see docs/capabilities.md.
#pragma once

#include <compare>
#include <cstdint>

namespace mnos {

// What kind of kernel object a capability refers to. The numbers are ABI: userspace sees them
// when it inspects a slot, so they never change and new types only take new numbers.
enum class CapType : uint8_t {
    Empty = 0,        // the slot holds nothing
    MemoryBudget = 1, // memory to create objects from: frames, endpoints, processes
    MemoryFrame = 2,  // a run of physical pages that can be mapped
    IoPort = 3,       // a range of x86 I/O ports
    Process = 4,      // a process (its address space, threads and CNode)
    IpcEndpoint = 5,  // a rendezvous point for synchronous IPC
    IrqLine = 6,      // one interrupt line (a GSI) delivered to its holder
    MmioRegion = 7,   // a page range inside one PCI device's memory BARs, mapped uncached
    Thread = 8,       // a thread: end it, wait for it, read how it ended
    IrqControl = 9,   // the right to claim interrupt lines (init's alone at boot)
    Notification = 10, // a word of event bits that threads signal and wait on
    DeviceControl = 11, // the right to claim PCI devices (init's alone at boot)
    PciDevice = 12,    // one PCI function: its config space, BARs, interrupts, DMA
};

inline constexpr uint8_t CAP_TYPE_COUNT = 13;

constexpr const char* cap_type_name(CapType type) {
    switch (type) {
    case CapType::Empty: return "empty";
    case CapType::MemoryBudget: return "memory-budget";
    case CapType::MemoryFrame: return "memory-frame";
    case CapType::IoPort: return "io-port";
    case CapType::Process: return "process";
    case CapType::IpcEndpoint: return "ipc-endpoint";
    case CapType::IrqLine: return "irq-line";
    case CapType::MmioRegion: return "mmio-region";
    case CapType::Thread: return "thread";
    case CapType::IrqControl: return "irq-control";
    case CapType::Notification: return "notification";
    case CapType::DeviceControl: return "device-control";
    case CapType::PciDevice: return "pci-device";
    }
    return "unknown";
}

// What a capability lets its holder do. Each object type says which rights its operations need
// (docs/capabilities.md); GRANT and REVOKE are about the capability itself.
enum class Rights : uint32_t {
    None = 0,
    Read = 1u << 0,   // READ: observe the object (read memory, receive on an endpoint, ...)
    Write = 1u << 1,  // WRITE: change the object (write memory, send on an endpoint, ...)
    Exec = 1u << 2,   // EXEC: map executable
    Grant = 1u << 3,  // GRANT: copy this capability to another CNode (delegate, IPC transfer)
    Revoke = 1u << 4, // REVOKE: remove every capability derived from this one
    All = (1u << 5) - 1,
};

constexpr Rights operator|(Rights a, Rights b) { return Rights(uint32_t(a) | uint32_t(b)); }
constexpr Rights operator&(Rights a, Rights b) { return Rights(uint32_t(a) & uint32_t(b)); }
// Complement within the defined rights, so ~x never sets an undefined bit.
constexpr Rights operator~(Rights a) { return Rights(~uint32_t(a) & uint32_t(Rights::All)); }
constexpr Rights& operator|=(Rights& a, Rights b) { return a = a | b; }
constexpr Rights& operator&=(Rights& a, Rights b) { return a = a & b; }

// True when `have` includes every right in `needed`.
constexpr bool has_rights(Rights have, Rights needed) { return (have & needed) == needed; }
// True when `narrower` adds no right that `wider` lacks: the test delegation applies.
constexpr bool is_subset(Rights narrower, Rights wider) { return has_rights(wider, narrower); }
// True when no bit outside the defined rights is set (a syscall argument from userspace).
constexpr bool rights_valid(uint32_t bits) { return (bits & ~uint32_t(Rights::All)) == 0; }

// Slots in each process's CNode.
inline constexpr uint32_t CNODE_SLOTS = 64;

// A slot index in a CNode. A distinct type so a slot can never be passed where a count, an
// address or a rights mask is expected. Any value fits (userspace passes what it likes); the
// kernel reports an index outside the CNode as Error::NoSlot.
class CapSlot {
public:
    static constexpr uint32_t NONE_VALUE = UINT32_MAX;

    constexpr CapSlot() = default; // CapSlot::none()
    constexpr explicit CapSlot(uint32_t index) : m_index(index) {}
    static constexpr CapSlot none() { return CapSlot(); }

    constexpr uint32_t index() const { return m_index; }
    constexpr bool is_none() const { return m_index == NONE_VALUE; }
    // Whether the index names a slot of a CNode (none never does).
    constexpr bool in_range() const { return m_index < CNODE_SLOTS; }
    constexpr auto operator<=>(const CapSlot&) const = default;

private:
    uint32_t m_index = NONE_VALUE;
};

} // namespace mnos
