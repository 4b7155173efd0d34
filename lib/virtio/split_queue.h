// The driver's side of a virtio 1.x split virtqueue (Virtio 1.x, section 2.7): a descriptor
// table, an available ring the driver fills and a used ring the device fills, in memory both
// share. Pure logic over that memory: who allocates it (DMA frames in a Ring 3 driver, a
// std::vector in the host tests) and how the device is notified are the caller's business.
//
// The device is not trusted. Everything the driver needs to free a chain (its links, its
// length, how many bytes the device may write) is kept in the queue's private shadow state,
// never read back from shared memory, so a device that rewrites descriptors cannot corrupt the
// free list; a used element naming a descriptor that is not the head of a chain in flight, or
// claiming more bytes written than the chain can hold, is refused with Malformed. x86 only:
// the rings are little-endian and the host is.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "lib/result.h"

namespace lib::virtio {

struct Descriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);

struct UsedElement {
    uint32_t id;     // the head of the completed chain
    uint32_t length; // bytes the device wrote into its device-writable buffers
};
static_assert(sizeof(UsedElement) == 8);

inline constexpr uint16_t DESC_NEXT = 1;
inline constexpr uint16_t DESC_WRITE = 2;
inline constexpr uint16_t USED_NO_NOTIFY = 1; // used ring flags: the device needs no kick

// Byte sizes and alignments of the three parts for a queue of `size` entries (section 2.7).
inline constexpr size_t descriptor_table_bytes(uint16_t size) { return 16u * size; }
inline constexpr size_t avail_ring_bytes(uint16_t size) { return 6u + 2u * size; }
inline constexpr size_t used_ring_bytes(uint16_t size) { return 6u + 8u * size; }
inline constexpr size_t DESCRIPTOR_ALIGN = 16, AVAIL_ALIGN = 2, USED_ALIGN = 4;

// The shared memory, as the driver sees it. Each part at least its *_bytes and aligned.
struct QueueMemory {
    std::span<uint8_t> descriptors;
    std::span<uint8_t> avail;
    std::span<uint8_t> used;
};

// One buffer of a request: where it is (a device address) and who writes it.
struct Buffer {
    uint64_t address;
    uint32_t length;
    bool device_writes;
};

struct Completion {
    uint16_t head;     // what add() returned for the request
    uint32_t written;  // bytes the device wrote, never more than the chain's writable bytes
};

class SplitQueue {
public:
    static constexpr uint16_t MAX_SIZE = 256;

    // `size` a power of two, 1 to MAX_SIZE (a driver may lower the device's queue_size to it);
    // the memory parts large enough and aligned. Zeroes the rings and builds the free list.
    Result<> init(QueueMemory memory, uint16_t size);

    uint16_t size() const { return m_size; }
    uint16_t free_descriptors() const { return m_free_count; }
    uint16_t in_flight() const { return m_in_flight; }

    // Places one request: its buffers chained in order (the device reads the device-readable
    // ones first, so they must come first: InvalidArgument otherwise, and for an empty chain
    // or a zero-length buffer), published in the available ring. Busy when too few
    // descriptors are free. Returns the chain's head, which its Completion names.
    Result<uint16_t> add(std::span<const Buffer> chain);

    // Whether the device asked to be notified of new available entries.
    bool needs_notify() const;

    // The next completed request, if the device has published one; frees its descriptors.
    // Malformed when the device's used ring lies (see the header comment); the queue is then
    // not to be trusted further and the device should be reset.
    Result<std::optional<Completion>> pop_used();

private:
    uint16_t slot(uint16_t index) const { return uint16_t(index & (m_size - 1)); }
    Descriptor& descriptor(uint16_t i);
    uint16_t* avail_field(size_t index); // 0 flags, 1 idx, 2 + n ring[n]
    uint16_t* used_field(size_t index);  // 0 flags, 1 idx
    UsedElement& used_element(uint16_t slot);

    QueueMemory m_memory{};
    uint16_t m_size = 0;
    uint16_t m_free_head = 0;
    uint16_t m_free_count = 0;
    uint16_t m_in_flight = 0;
    uint16_t m_avail_index = 0;    // free-running, as the ring's idx: wraps at 2^16
    uint16_t m_last_used = 0;      // the used ring's idx the driver has consumed up to
    // Shadow state, private to the driver.
    std::array<uint16_t, MAX_SIZE> m_next{};      // links of free descriptors and of chains
    std::array<uint16_t, MAX_SIZE> m_chain_length{}; // per head in flight, else 0
    std::array<uint32_t, MAX_SIZE> m_writable{};  // per head: bytes the device may write
};

} // namespace lib::virtio
