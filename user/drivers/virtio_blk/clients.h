// The block service's clients: who has attached which buffer (abi/block.h), by badge. Several
// workers serve one client at once, so each request holds a use of its client's entry while it
// copies into or out of the buffer; Detach lets an entry go only when no request holds it, and
// the buffer is unmapped only then, so a worker never touches a page that is gone.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/result.h"
#include "user/libmnos/spin_lock.h"

namespace virtio_blk {

inline constexpr size_t MAX_CLIENTS = 32;

class ClientTable;

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

private:
    friend class ClientTable;
    ClientUse(ClientTable& table, size_t index) : m_table(&table), m_index(index) {}
    ClientTable* m_table;
    size_t m_index;
};

class ClientTable {
public:
    // Records `badge`'s buffer (mapped, `pages` long). Exists if the badge has one already,
    // NoSlot when MAX_CLIENTS have; the caller then still owns the mapping.
    lib::Result<void> attach(uint64_t badge, uint8_t* buffer, uint64_t pages);
    // A hold on `badge`'s buffer, or NoSlot when it has none.
    lib::Result<ClientUse> use(uint64_t badge);
    // Lets `badge`'s entry go and unmaps its buffer: NoSlot if it has none, Busy while one of its
    // requests is in flight (it holds the buffer).
    lib::Result<void> detach(uint64_t badge);

private:
    friend class ClientUse;
    struct Entry {
        uint64_t badge = 0;
        uint8_t* buffer = nullptr; // null: a free entry
        uint64_t pages = 0;
        uint32_t uses = 0;
    };
    void release(size_t index);

    mnos::SpinLock m_lock;
    Entry m_entries[MAX_CLIENTS]; // under m_lock; an entry's buffer stays while it has uses
};

} // namespace virtio_blk
