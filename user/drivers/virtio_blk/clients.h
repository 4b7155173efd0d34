// The block service's clients: who has attached which buffer (abi/block.h), by badge. Several
// workers serve one client at once, so each request holds a use of its client's entry while it
// (or the device, with zero copy) reads or writes the buffer; an entry goes (Detach, or the end
// of the process its client named with Watch) only when no request holds it, and the buffer is
// unpinned and unmapped only then, so neither a worker nor the device touches a page that is
// gone.
//
// Zero copy: a client's buffer is one MemoryFrame, physically contiguous, so the driver pins it
// to the device on Attach (DmaAddress) and the device reads and writes it directly. The pin is
// let go (DmaRelease) only with the entry, and the entry only with its last use; a request that
// timed out keeps its use (a KeptUse in its slot, disk.h) until the device returns the chain,
// since the device may still write the buffer until then. An entry whose pin failed (the
// device's pins all taken) has device address 0: its requests copy through the driver's slots.
//
// Watches: the kernel signals a bit of the driver's departures notification when a watched
// process ends (WatchProcess). A watch cannot be taken back, so its bit stays taken until it
// fires, even if the entry went by Detach first; a bit is never given to another entry while its
// watch is pending, so a departure always names the right entry, or none.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/result.h"
#include "user/libmnos/spin_lock.h"
#include "user/libmnos/syscall.h"

namespace virtio_blk {

inline constexpr size_t MAX_CLIENTS = 32;
// The departures notification's bits: 0..61 (62 the driver's reaper leaves alone, 63 none).
inline constexpr uint64_t WATCH_BITS = (uint64_t(1) << 62) - 1;

class ClientTable;

// A use a timed-out request keeps after its worker answered: released when the device returns
// the chain (release), never copied.
class KeptUse {
public:
    KeptUse() = default;
    void release();
    explicit operator bool() const { return m_table != nullptr; }

private:
    friend class ClientUse;
    KeptUse(ClientTable* table, size_t index) : m_table(table), m_index(index) {}
    ClientTable* m_table = nullptr;
    size_t m_index = 0;
};

// One request's hold on its client's buffer; released when it goes.
class ClientUse {
public:
    ClientUse(ClientUse&& other) : m_table(other.m_table), m_index(other.m_index) {
        other.m_table = nullptr;
    }
    ClientUse(const ClientUse&) = delete;
    ClientUse& operator=(const ClientUse&) = delete;
    ClientUse& operator=(ClientUse&&) = delete;
    ~ClientUse();

    uint8_t* buffer() const;
    uint64_t bytes() const;
    // The buffer's address for the device (pinned), or 0: its requests copy.
    uint64_t device_address() const;
    // Hands the hold over: this use no longer releases it, the KeptUse does.
    KeptUse keep();

private:
    friend class ClientTable;
    ClientUse(ClientTable& table, size_t index) : m_table(&table), m_index(index) {}
    ClientTable* m_table;
    size_t m_index;
};

class ClientTable {
public:
    // The device the buffers are pinned to: DmaRelease goes through it.
    void set_device(mnos::CapSlot device) { m_device = device; }
    // Records `badge`'s buffer (mapped, `pages` long, pinned at `device_address` or 0 if not).
    // Exists if the badge has one already, NoSlot when MAX_CLIENTS have; the caller then still
    // owns the mapping and the pin.
    lib::Result<void> attach(uint64_t badge, uint8_t* buffer, uint64_t pages,
                             uint64_t device_address);
    // A hold on `badge`'s buffer, or NoSlot when it has none.
    lib::Result<ClientUse> use(uint64_t badge);
    // Lets `badge`'s entry go and unmaps its buffer: NoSlot if it has none, Busy while one of its
    // requests is in flight (it holds the buffer).
    lib::Result<void> detach(uint64_t badge);
    // A departures bit for `badge`'s entry: NoSlot without an entry, Exists if it has one, Busy
    // when every bit waits for a watch to fire. `unreserve` gives it back if the watch failed.
    lib::Result<uint64_t> reserve_watch(uint64_t badge);
    void unreserve_watch(uint64_t badge, uint64_t bit);
    // The departures notification's `bits` fired: the watched processes ended. Their entries go
    // (at once, or when their last request is done).
    void departed(uint64_t bits);

    // Pins held now (a figure for the log and tests).
    size_t pinned() const;

private:
    friend class ClientUse;
    friend class KeptUse;
    struct Entry {
        uint64_t badge = 0;
        uint8_t* buffer = nullptr; // null: a free entry
        uint64_t pages = 0;
        uint64_t device_address = 0; // the pinned buffer's, or 0
        uint32_t uses = 0;
        uint64_t watch_bit = 0; // its departures bit (one bit set), or 0
        bool gone = false;      // its process ended: it goes with its last use
    };
    void release(size_t index);
    // Takes the entry out of the table (under the lock); the caller unmaps what it returns.
    Entry take_locked(size_t index);
    // Lets a taken entry's pin and mapping go (without the lock: syscalls).
    void drop(const Entry& gone);

    mnos::CapSlot m_device = mnos::CapSlot::none();
    mutable mnos::SpinLock m_lock;
    Entry m_entries[MAX_CLIENTS]; // under m_lock; an entry's buffer stays while it has uses
    uint64_t m_pending_watches = 0; // under m_lock: bits whose watch has not fired yet
};

} // namespace virtio_blk
