// The virtio 1.x PCI transport, modern interface (Virtio 1.x, section 4.1): the common
// configuration, notification, ISR and device-specific structures the vendor capabilities
// locate, each mapped from its BAR through an MmioRegion. What virtio-blk needs of it:
// reset, feature negotiation, one queue's setup, its notification, the ISR (for INTx), and
// reads of the device configuration.
#pragma once

#include <cstdint>

#include "lib/pci/capabilities.h"
#include "lib/result.h"
#include "user/libmnos/device.h"

namespace virtio_blk {

// device_status bits (section 2.1).
inline constexpr uint8_t STATUS_ACKNOWLEDGE = 1;
inline constexpr uint8_t STATUS_DRIVER = 2;
inline constexpr uint8_t STATUS_DRIVER_OK = 4;
inline constexpr uint8_t STATUS_FEATURES_OK = 8;
inline constexpr uint8_t STATUS_FAILED = 128;

inline constexpr uint16_t NO_VECTOR = 0xffff;

struct QueueAddresses {
    uint64_t descriptors;
    uint64_t driver; // the available ring
    uint64_t device; // the used ring
};

class Transport {
public:
    // Finds and maps the four structures; `reason` says what was missing.
    lib::Result<void> open(mnos::device::PciConfig& config, const lib::pci::CapabilityList& caps,
                           const char** reason);

    // Writes 0 to device_status and waits until the device reads back 0 (section 4.1.4.3.2).
    lib::Result<void> reset();
    uint8_t status() const;
    void add_status(uint8_t bits);

    // Offers the device `wanted` & what it has; Unsupported unless every bit of `required` is
    // among them, or when the device refuses FEATURES_OK. Returns the features agreed.
    lib::Result<uint64_t> negotiate(uint64_t wanted, uint64_t required);

    // No interrupt for configuration changes: nothing here reacts to them.
    void disable_config_interrupt();
    // The device's largest size for `queue` (0: the queue does not exist).
    uint16_t max_queue_size(uint16_t queue);
    // Sets `queue` up with `size` entries at `addresses`, interrupting on MSI-X entry `vector`
    // (NO_VECTOR for INTx), and enables it. Unsupported if the device refuses the vector.
    lib::Result<void> enable_queue(uint16_t queue, uint16_t size, const QueueAddresses& addresses,
                                   uint16_t vector);
    void notify(uint16_t queue);
    // Reading the ISR status acknowledges an INTx interrupt (section 4.1.4.5).
    uint8_t read_isr();

    uint32_t device_read32(uint32_t offset);

private:
    volatile uint8_t* m_common = nullptr;
    volatile uint8_t* m_notify = nullptr;
    volatile uint8_t* m_isr = nullptr;
    volatile uint8_t* m_device = nullptr;
    uint32_t m_notify_multiplier = 0;
    uint16_t m_notify_offset = 0; // of the one queue set up, in multiplier units
    uint32_t m_notify_length = 0;
    uint32_t m_device_length = 0;
};

} // namespace virtio_blk
