#include "user/drivers/virtio_blk/transport.h"

namespace virtio_blk {

namespace {

using lib::pci::VirtioStructure;
using mnos::Error;

// virtio_pci_common_cfg (section 4.1.4.3), byte offsets.
namespace common {
constexpr uint32_t DEVICE_FEATURE_SELECT = 0, DEVICE_FEATURE = 4, DRIVER_FEATURE_SELECT = 8,
                   DRIVER_FEATURE = 12, MSIX_CONFIG = 16, DEVICE_STATUS = 20, QUEUE_SELECT = 22,
                   QUEUE_SIZE = 24, QUEUE_MSIX_VECTOR = 26, QUEUE_ENABLE = 28,
                   QUEUE_NOTIFY_OFF = 30, QUEUE_DESC = 32, QUEUE_DRIVER = 40, QUEUE_DEVICE = 48;
constexpr uint32_t SIZE = 56;
} // namespace common

constexpr int RESET_POLLS = 100000;

// Register accesses, each of its field's own width as section 4.1.3.1 requires. Sound: every
// pointer is into a structure mapped uncached by map_bar, whose length open() checked covers
// the offset, and the fields are naturally aligned within it.
uint8_t read8(volatile uint8_t* base, uint32_t offset) { return base[offset]; }
uint16_t read16(volatile uint8_t* base, uint32_t offset) {
    return *reinterpret_cast<volatile uint16_t*>(base + offset);
}
uint32_t read32(volatile uint8_t* base, uint32_t offset) {
    return *reinterpret_cast<volatile uint32_t*>(base + offset);
}
void write8(volatile uint8_t* base, uint32_t offset, uint8_t value) { base[offset] = value; }
void write16(volatile uint8_t* base, uint32_t offset, uint16_t value) {
    *reinterpret_cast<volatile uint16_t*>(base + offset) = value;
}
void write32(volatile uint8_t* base, uint32_t offset, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(base + offset) = value;
}
// A 64-bit field as two 32-bit halves, low first (section 4.1.3.1 allows it).
void write64(volatile uint8_t* base, uint32_t offset, uint64_t value) {
    write32(base, offset, uint32_t(value));
    write32(base, offset + 4, uint32_t(value >> 32));
}

lib::Result<volatile uint8_t*> map_structure(mnos::device::PciConfig& config,
                                             const lib::pci::VirtioCap& cap, uint32_t at_least) {
    if (cap.length < at_least)
        return lib::fail(Error::Malformed);
    return mnos::device::map_bar(config, cap.bar, cap.region_offset, cap.length);
}

} // namespace

lib::Result<void> Transport::open(mnos::device::PciConfig& config,
                                  const lib::pci::CapabilityList& caps, const char** reason) {
    const auto* c = caps.find_virtio(VirtioStructure::Common);
    const auto* n = caps.find_virtio(VirtioStructure::Notify);
    const auto* i = caps.find_virtio(VirtioStructure::Isr);
    const auto* d = caps.find_virtio(VirtioStructure::Device);
    if (!c || !n || !i || !d) {
        *reason = "no modern virtio structures (a legacy-only device?)";
        return lib::fail(Error::Unsupported);
    }
    *reason = "cannot map a virtio structure";
    m_common = TRY(map_structure(config, *c, common::SIZE));
    m_notify = TRY(map_structure(config, *n, 2));
    m_isr = TRY(map_structure(config, *i, 1));
    m_device = TRY(map_structure(config, *d, 8));
    m_notify_multiplier = n->notify_multiplier;
    m_notify_length = n->length;
    m_device_length = d->length;
    *reason = nullptr;
    return {};
}

lib::Result<void> Transport::reset() {
    write8(m_common, common::DEVICE_STATUS, 0);
    for (int i = 0; i < RESET_POLLS; ++i)
        if (read8(m_common, common::DEVICE_STATUS) == 0)
            return {};
    return lib::fail(Error::Timeout);
}

uint8_t Transport::status() const { return read8(m_common, common::DEVICE_STATUS); }

void Transport::add_status(uint8_t bits) {
    write8(m_common, common::DEVICE_STATUS, uint8_t(status() | bits));
}

lib::Result<uint64_t> Transport::negotiate(uint64_t wanted, uint64_t required) {
    uint64_t offered = 0;
    for (uint32_t half = 0; half < 2; ++half) {
        write32(m_common, common::DEVICE_FEATURE_SELECT, half);
        offered |= uint64_t(read32(m_common, common::DEVICE_FEATURE)) << (32 * half);
    }
    uint64_t agreed = offered & (wanted | required);
    if ((agreed & required) != required)
        return lib::fail(Error::Unsupported);
    for (uint32_t half = 0; half < 2; ++half) {
        write32(m_common, common::DRIVER_FEATURE_SELECT, half);
        write32(m_common, common::DRIVER_FEATURE, uint32_t(agreed >> (32 * half)));
    }
    add_status(STATUS_FEATURES_OK);
    // The device clears FEATURES_OK again if it cannot work with what was agreed.
    if (!(status() & STATUS_FEATURES_OK))
        return lib::fail(Error::Unsupported);
    return agreed;
}

void Transport::disable_config_interrupt() {
    write16(m_common, common::MSIX_CONFIG, NO_VECTOR);
}

uint16_t Transport::max_queue_size(uint16_t queue) {
    write16(m_common, common::QUEUE_SELECT, queue);
    return read16(m_common, common::QUEUE_SIZE);
}

lib::Result<void> Transport::enable_queue(uint16_t queue, uint16_t size,
                                          const QueueAddresses& addresses, uint16_t vector) {
    write16(m_common, common::QUEUE_SELECT, queue);
    write16(m_common, common::QUEUE_SIZE, size);
    write16(m_common, common::QUEUE_MSIX_VECTOR, vector);
    // The device answers NO_VECTOR when it could not assign the entry (section 4.1.4.3.1).
    if (read16(m_common, common::QUEUE_MSIX_VECTOR) != vector)
        return lib::fail(Error::Unsupported);
    write64(m_common, common::QUEUE_DESC, addresses.descriptors);
    write64(m_common, common::QUEUE_DRIVER, addresses.driver);
    write64(m_common, common::QUEUE_DEVICE, addresses.device);
    m_notify_offset = read16(m_common, common::QUEUE_NOTIFY_OFF);
    uint64_t at = uint64_t(m_notify_offset) * m_notify_multiplier;
    if (at + 2 > m_notify_length)
        return lib::fail(Error::Malformed);
    write16(m_common, common::QUEUE_ENABLE, 1);
    return {};
}

void Transport::notify(uint16_t queue) {
    write16(m_notify, uint32_t(m_notify_offset * m_notify_multiplier), queue);
}

uint8_t Transport::read_isr() { return read8(m_isr, 0); }

uint32_t Transport::device_read32(uint32_t offset) {
    if (offset + 4 > m_device_length)
        return 0;
    return read32(m_device, offset);
}

} // namespace virtio_blk
