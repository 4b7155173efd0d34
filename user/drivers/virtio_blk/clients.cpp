#include "user/drivers/virtio_blk/clients.h"

#include "abi/error.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/print.h"

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
uint64_t ClientUse::device_address() const { return m_table->m_entries[m_index].device_address; }

KeptUse ClientUse::keep() {
    KeptUse kept(m_table, m_index);
    m_table = nullptr;
    return kept;
}

void KeptUse::release() {
    if (m_table)
        m_table->release(m_index);
    m_table = nullptr;
}

lib::Result<void> ClientTable::attach(uint64_t badge, uint8_t* buffer, uint64_t pages,
                                      uint64_t device_address) {
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
    *free = {badge, buffer, pages, device_address, 0};
    return {};
}

lib::Result<ClientUse> ClientTable::use(uint64_t badge) {
    mnos::LockGuard guard(m_lock);
    for (size_t i = 0; i < MAX_CLIENTS; ++i)
        if (m_entries[i].buffer && !m_entries[i].gone && m_entries[i].badge == badge) {
            ++m_entries[i].uses;
            return ClientUse(*this, i);
        }
    return lib::fail(mnos::Error::NoSlot);
}

size_t ClientTable::pinned() const {
    mnos::LockGuard guard(m_lock);
    size_t count = 0;
    for (const Entry& e : m_entries)
        count += e.buffer && e.device_address ? 1 : 0;
    return count;
}

void ClientTable::drop(const Entry& gone) {
    // The entry is out of the table and had no use left, so no request is in the device with
    // this buffer: the pin may go, then the mapping.
    if (gone.device_address)
        if (auto released = mnos::sys::dma_release(m_device, gone.device_address); !released)
            mnos::println("virtio-blk: cannot release a client's pin: {}",
                          mnos::error_name(released.error()));
    mnos::free_pages(gone.buffer, gone.pages);
}

ClientTable::Entry ClientTable::take_locked(size_t index) {
    Entry taken = m_entries[index];
    m_entries[index] = {};
    return taken;
}

void ClientTable::release(size_t index) {
    Entry gone;
    {
        mnos::LockGuard guard(m_lock);
        Entry& e = m_entries[index];
        if (--e.uses > 0 || !e.gone)
            return;
        gone = take_locked(index);
    }
    drop(gone);
}

lib::Result<void> ClientTable::detach(uint64_t badge) {
    Entry gone;
    {
        mnos::LockGuard guard(m_lock);
        size_t index = MAX_CLIENTS;
        for (size_t i = 0; i < MAX_CLIENTS; ++i)
            if (m_entries[i].buffer && !m_entries[i].gone && m_entries[i].badge == badge)
                index = i;
        if (index == MAX_CLIENTS)
            return lib::fail(mnos::Error::NoSlot);
        if (m_entries[index].uses > 0)
            return lib::fail(mnos::Error::Busy);
        // Its watch, if any, stays pending: its bit is freed when it fires (departed).
        gone = take_locked(index);
    }
    // Out of the table first, so no new request can take a use; then the pin and pages go.
    drop(gone);
    return {};
}

lib::Result<uint64_t> ClientTable::reserve_watch(uint64_t badge) {
    mnos::LockGuard guard(m_lock);
    for (Entry& e : m_entries) {
        if (!e.buffer || e.gone || e.badge != badge)
            continue;
        if (e.watch_bit)
            return lib::fail(mnos::Error::Exists);
        uint64_t free = WATCH_BITS & ~m_pending_watches;
        if (!free)
            return lib::fail(mnos::Error::Busy);
        e.watch_bit = free & -free; // the lowest
        m_pending_watches |= e.watch_bit;
        return e.watch_bit;
    }
    return lib::fail(mnos::Error::NoSlot);
}

void ClientTable::unreserve_watch(uint64_t badge, uint64_t bit) {
    mnos::LockGuard guard(m_lock);
    m_pending_watches &= ~bit;
    for (Entry& e : m_entries)
        if (e.buffer && e.badge == badge && e.watch_bit == bit)
            e.watch_bit = 0;
}

void ClientTable::departed(uint64_t bits) {
    Entry gone[MAX_CLIENTS];
    size_t count = 0;
    {
        mnos::LockGuard guard(m_lock);
        bits &= m_pending_watches;
        m_pending_watches &= ~bits;
        for (size_t i = 0; i < MAX_CLIENTS; ++i) {
            Entry& e = m_entries[i];
            if (!e.buffer || !(e.watch_bit & bits))
                continue;
            if (e.uses > 0)
                e.gone = true; // its last request takes it out (release)
            else
                gone[count++] = take_locked(i);
        }
    }
    for (size_t i = 0; i < count; ++i)
        drop(gone[i]);
}

} // namespace virtio_blk
