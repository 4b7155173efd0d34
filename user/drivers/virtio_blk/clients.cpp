#include "user/drivers/virtio_blk/clients.h"

#include "abi/error.h"
#include "user/libmnos/memory.h"

namespace virtio_blk {

namespace {
constexpr uint64_t PAGE = 4096;
} // namespace

ClientUse::~ClientUse() {
    if (m_table)
        m_table->release(m_index);
}

// Sound without the lock: the entry's buffer and size cannot change while this use holds it.
uint8_t* ClientUse::buffer() const { return m_table->m_entries[m_index].buffer; }
uint64_t ClientUse::bytes() const { return m_table->m_entries[m_index].pages * PAGE; }

lib::Result<void> ClientTable::attach(uint64_t badge, uint8_t* buffer, uint64_t pages) {
    mnos::LockGuard guard(m_lock);
    Entry* free = nullptr;
    for (Entry& e : m_entries) {
        if (e.buffer && e.badge == badge)
            return lib::fail(mnos::Error::Exists);
        if (!e.buffer && !free)
            free = &e;
    }
    if (!free)
        return lib::fail(mnos::Error::NoSlot);
    *free = {badge, buffer, pages, 0};
    return {};
}

lib::Result<ClientUse> ClientTable::use(uint64_t badge) {
    mnos::LockGuard guard(m_lock);
    for (size_t i = 0; i < MAX_CLIENTS; ++i)
        if (m_entries[i].buffer && m_entries[i].badge == badge) {
            ++m_entries[i].uses;
            return ClientUse(*this, i);
        }
    return lib::fail(mnos::Error::NoSlot);
}

void ClientTable::release(size_t index) {
    mnos::LockGuard guard(m_lock);
    --m_entries[index].uses;
}

lib::Result<void> ClientTable::detach(uint64_t badge) {
    Entry gone;
    {
        mnos::LockGuard guard(m_lock);
        Entry* entry = nullptr;
        for (Entry& e : m_entries)
            if (e.buffer && e.badge == badge)
                entry = &e;
        if (!entry)
            return lib::fail(mnos::Error::NoSlot);
        if (entry->uses > 0)
            return lib::fail(mnos::Error::Busy);
        gone = *entry;
        *entry = {};
    }
    // Out of the table first, so no new request can take a use; then the pages go.
    mnos::free_pages(gone.buffer, gone.pages);
    return {};
}

} // namespace virtio_blk
