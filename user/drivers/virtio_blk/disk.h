// The disk: one virtio-blk device with one request queue, driven by several threads at once.
// Each worker thread (one per concurrent client request) owns a slot: a DMA buffer holding
// its request header, status byte and up to 64 KiB of data. A worker places its chain in the
// queue, kicks the device and sleeps on its own notification; the interrupt thread takes
// completions from the used ring and wakes the worker whose chain finished. So as many
// requests are in flight as there are workers, and no thread polls.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/virtio/blk.h"
#include "lib/virtio/split_queue.h"
#include "user/drivers/virtio_blk/transport.h"
#include "user/libmnos/device.h"
#include "user/libmnos/spin_lock.h"

namespace virtio_blk {

using mnos::CapSlot;

inline constexpr size_t WORKERS = 8;
inline constexpr uint16_t QUEUE_SIZE_LIMIT = 64;

class Disk {
public:
    // Brings the device up (reset, features, queue, interrupt, DRIVER_OK); `reason` says what
    // failed.
    lib::Result<void> start(CapSlot device, const char** reason);

    uint64_t capacity() const { return m_capacity; } // sectors
    bool read_only() const { return m_features & lib::virtio::blk::F_RO; }
    bool can_flush() const { return m_features & lib::virtio::blk::F_FLUSH; }
    bool uses_msix() const { return m_msix; }
    uint16_t queue_size() const { return m_queue.size(); }

    // One request on worker `worker`'s slot: `bytes` (a multiple of 512, at most 64 KiB; 0 for
    // Flush) from `data` for Out, into it for In. Blocks until the device completes it; the
    // device's status becomes DeviceError or Unsupported.
    lib::Result<void> transfer(size_t worker, lib::virtio::blk::RequestType type, uint64_t sector,
                               uint8_t* data, uint32_t bytes);

    // The interrupt thread: waits on the queue's interrupt and completes requests, forever.
    // Returns only if the device broke the queue's rules (the driver then exits and init
    // restarts it, which resets the device).
    void serve_interrupts();

private:
    struct Slot {
        mnos::device::DmaBuffer dma;   // page 0: header and status; pages 1..: data
        CapSlot done = CapSlot::none(); // signalled when the request finished
        bool finished = false;          // under m_lock
    };

    lib::Result<void> set_up_queue(const char** reason);

    mnos::device::PciConfig m_config{CapSlot::none()};
    Transport m_transport;
    CapSlot m_irq = CapSlot::none();
    bool m_msix = false;
    uint64_t m_features = 0;
    uint64_t m_capacity = 0;

    mnos::SpinLock m_lock;             // the queue and the slots' state
    lib::virtio::SplitQueue m_queue;
    mnos::device::DmaBuffer m_rings;
    Slot m_slots[WORKERS];
    int16_t m_owner[lib::virtio::SplitQueue::MAX_SIZE]; // worker of each chain head in flight
    uint16_t m_most_in_flight = 0;     // under m_lock
};

} // namespace virtio_blk
