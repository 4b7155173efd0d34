// The disk: one virtio-blk device with one request queue, driven by several threads at once.
// Each request takes a slot from a pool: a place in DMA memory for its header, status byte and
// up to 64 KiB of data. A worker thread (one per concurrent client request) places its chain in
// the queue, kicks the device and sleeps on its slot's bit of one notification; the interrupt
// thread takes completions from the used ring and signals the bit of the slot that finished.
// So as many requests are in flight as there are workers, and no thread polls.
//
// A request the device never completes must not hold its client forever: a watchdog thread
// ages the slots in flight and, past the timeout, wakes the worker, which answers Timeout. The
// device may still write that slot's memory, so the slot stays out of the pool until the
// device gives it back.
//
// Zero copy: when the client's buffer is pinned to the device (clients.h), the chain's data
// buffer is the client's own memory and the slot only lends its header and status byte. A
// request that timed out then keeps its client's use (and so the buffer's pin and the client's
// place) in its slot until the device returns the chain: the late completion writes the
// client's buffer, which stays the device's until then. Buffers that are not pinned go through
// the slot's data, copied in and out as before, and are never written after the answer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/virtio/blk.h"
#include "lib/virtio/split_queue.h"
#include "user/drivers/virtio_blk/clients.h"
#include "user/drivers/virtio_blk/transport.h"
#include "user/libmnos/device.h"
#include "user/libmnos/spin_lock.h"

namespace virtio_blk {

using mnos::CapSlot;

// Requests in flight at once: as many as a client at queue depth 32 keeps outstanding.
inline constexpr size_t WORKERS = 32;
// The workers' slots, and room for a few the device still holds after they timed out.
inline constexpr size_t SLOTS = 40;
// Three descriptors a request: 128 entries hold every slot's chain at once.
inline constexpr uint16_t QUEUE_SIZE_LIMIT = 128;
inline constexpr uint64_t DEFAULT_TIMEOUT_MS = 10'000;

class Disk {
public:
    // Brings the device up (reset, features, queue, interrupt, DRIVER_OK); `reason` says what
    // failed. A request the device has not completed after `timeout_ms` fails with Timeout.
    lib::Result<void> start(CapSlot device, uint64_t timeout_ms, const char** reason);

    uint64_t capacity() const { return m_capacity; } // sectors
    bool read_only() const { return m_features & lib::virtio::blk::F_RO; }
    bool can_flush() const { return m_features & lib::virtio::blk::F_FLUSH; }
    bool uses_msix() const { return m_msix; }
    uint16_t queue_size() const { return m_queue.size(); }
    size_t slots() const { return m_usable_slots; }

    // One request: `bytes` (a multiple of 512, at most 64 KiB; 0 for Flush) from `data` for
    // Out, into it for In. Blocks until the device completes it (the device's status becomes
    // DeviceError or Unsupported) or the timeout passes (Timeout). Busy when every slot is
    // taken, which only requests the device never gave back can cause. With a `client` whose
    // buffer (holding `data`) is pinned, the device reads or writes `data` itself; on Timeout
    // the request then keeps the client's use until the device returns it.
    lib::Result<void> transfer(lib::virtio::blk::RequestType type, uint64_t sector, uint8_t* data,
                               uint32_t bytes, ClientUse* client = nullptr);
    // Requests done without a copy (a figure for the log).
    uint64_t direct_requests() const { return m_direct; }

    // The interrupt thread: waits on the queue's interrupt and completes requests, forever.
    // Returns only if the device broke the queue's rules (the driver then exits and init
    // restarts it, which resets the device).
    void serve_interrupts();
    // The watchdog thread: times requests out, forever.
    void watch_timeouts();

private:
    enum class State : uint8_t {
        Free,
        Reserved,  // a worker fills it in
        InFlight,  // in the device; its worker waits
        Done,      // completed; its worker has yet to take the result
        TimedOut,  // past the timeout; its worker has yet to answer Timeout
        Abandoned, // its worker answered Timeout; the device still holds it
    };
    struct Slot {
        State state = State::Free;
        uint32_t age = 0; // watchdog periods in flight
        uint64_t sector = 0;
        bool direct = false; // its data is the client's buffer
        KeptUse kept;        // Abandoned and direct: the client's use, until the device is done
    };

    lib::Result<void> set_up_queue(const char** reason);
    lib::Result<size_t> reserve_slot();
    void release_slot(size_t index);
    // The slot's header and status (in the page after the rings), and its data.
    uint8_t* header_of(size_t index) const;
    uint64_t header_address(size_t index) const;
    uint8_t* data_of(size_t index) const;
    uint64_t data_address(size_t index) const;

    mnos::device::PciConfig m_config{CapSlot::none()};
    Transport m_transport;
    CapSlot m_irq = CapSlot::none();
    CapSlot m_events = CapSlot::none(); // bit i: slot i finished or timed out; WATCHDOG_BIT
    bool m_msix = false;
    uint64_t m_features = 0;
    uint64_t m_capacity = 0;
    uint32_t m_timeout_periods = 0;
    size_t m_usable_slots = 0; // SLOTS, or fewer for a small queue

    mnos::SpinLock m_lock; // the queue and the slots' state
    lib::virtio::SplitQueue m_queue;
    mnos::device::DmaBuffer m_memory; // the rings, the headers, then every slot's data
    Slot m_slots[SLOTS];
    int16_t m_owner[lib::virtio::SplitQueue::MAX_SIZE]; // slot of each chain head in flight
    uint16_t m_most_in_flight = 0;
    uint64_t m_direct = 0; // under m_lock
    bool m_watchdog_idle = false; // it waits for WATCHDOG_BIT: nothing was in flight
};

} // namespace virtio_blk
