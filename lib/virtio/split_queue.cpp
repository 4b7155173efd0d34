#include "lib/virtio/split_queue.h"

#include <atomic>
#include <bit>

namespace lib::virtio {

namespace {

constexpr uint16_t END = 0xffff; // the free list's terminator

bool aligned(std::span<uint8_t> part, size_t alignment) {
    return reinterpret_cast<uintptr_t>(part.data()) % alignment == 0;
}

} // namespace

// Sound for the four accessors below: init() checked that each part is large enough for
// `m_size` entries and aligned for its element type, and every index passed is below m_size
// (or a fixed header field), so each reference lies inside its part. The memory is shared with
// the device, so the ring indices are accessed through atomic_ref (see add and pop_used).
Descriptor& SplitQueue::descriptor(uint16_t i) {
    return reinterpret_cast<Descriptor*>(m_memory.descriptors.data())[i];
}

uint16_t* SplitQueue::avail_field(size_t index) {
    return reinterpret_cast<uint16_t*>(m_memory.avail.data()) + index;
}

uint16_t* SplitQueue::used_field(size_t index) {
    return reinterpret_cast<uint16_t*>(m_memory.used.data()) + index;
}

UsedElement& SplitQueue::used_element(uint16_t s) {
    return reinterpret_cast<UsedElement*>(m_memory.used.data() + 4)[s];
}

Result<> SplitQueue::init(QueueMemory memory, uint16_t size) {
    if (size == 0 || size > MAX_SIZE || !std::has_single_bit(size))
        return fail(Error::InvalidArgument);
    if (memory.descriptors.size() < descriptor_table_bytes(size) ||
        memory.avail.size() < avail_ring_bytes(size) || memory.used.size() < used_ring_bytes(size))
        return fail(Error::InvalidArgument);
    if (!aligned(memory.descriptors, DESCRIPTOR_ALIGN) || !aligned(memory.avail, AVAIL_ALIGN) ||
        !aligned(memory.used, USED_ALIGN))
        return fail(Error::InvalidArgument);
    *this = SplitQueue{};
    m_memory = memory;
    m_size = size;
    for (size_t i = 0; i < descriptor_table_bytes(size); ++i)
        memory.descriptors[i] = 0;
    for (size_t i = 0; i < avail_ring_bytes(size); ++i)
        memory.avail[i] = 0;
    for (size_t i = 0; i < used_ring_bytes(size); ++i)
        memory.used[i] = 0;
    for (uint16_t i = 0; i < size; ++i)
        m_next[i] = i + 1 < size ? uint16_t(i + 1) : END;
    m_free_head = 0;
    m_free_count = size;
    return {};
}

Result<uint16_t> SplitQueue::add(std::span<const Buffer> chain) {
    if (chain.empty() || chain.size() > m_size)
        return fail(Error::InvalidArgument);
    bool seen_writable = false;
    uint64_t writable = 0;
    for (const Buffer& b : chain) {
        if (b.length == 0 || (seen_writable && !b.device_writes))
            return fail(Error::InvalidArgument);
        seen_writable = b.device_writes;
        if (b.device_writes)
            writable += b.length;
    }
    if (writable > UINT32_MAX) // the used element's length field could not report it
        return fail(Error::Overflow);
    if (chain.size() > m_free_count)
        return fail(Error::Busy);

    uint16_t head = m_free_head;
    uint16_t index = head;
    for (size_t i = 0; i < chain.size(); ++i) {
        bool last = i + 1 == chain.size();
        Descriptor& d = descriptor(index);
        d.address = chain[i].address;
        d.length = chain[i].length;
        d.flags = uint16_t((chain[i].device_writes ? DESC_WRITE : 0) | (last ? 0 : DESC_NEXT));
        d.next = last ? 0 : m_next[index];
        if (!last)
            index = m_next[index];
    }
    m_free_head = m_next[index];
    m_free_count = uint16_t(m_free_count - chain.size());
    m_chain_length[head] = uint16_t(chain.size());
    m_writable[head] = uint32_t(writable);
    ++m_in_flight;

    *avail_field(2 + slot(m_avail_index)) = head;
    ++m_avail_index;
    // Release: the descriptors and the ring entry are visible to the device before the index
    // that publishes them.
    std::atomic_ref<uint16_t>(*avail_field(1)).store(m_avail_index, std::memory_order_release);
    return head;
}

bool SplitQueue::needs_notify() const {
    // The fence orders the idx store in add() before this read of the device's flags, so a
    // device that clears NO_NOTIFY after sleeping is not missed.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    auto* flags = reinterpret_cast<uint16_t*>(m_memory.used.data());
    return !(std::atomic_ref<uint16_t>(*flags).load(std::memory_order_relaxed) & USED_NO_NOTIFY);
}

Result<std::optional<Completion>> SplitQueue::pop_used() {
    // Acquire: the used element is read only after the index that published it.
    uint16_t device_index =
        std::atomic_ref<uint16_t>(*used_field(1)).load(std::memory_order_acquire);
    uint16_t pending = uint16_t(device_index - m_last_used); // both wrap at 2^16
    if (pending == 0)
        return std::optional<Completion>{};
    if (pending > m_in_flight)
        return fail(Error::Malformed); // more completions than requests outstanding
    UsedElement element = used_element(slot(m_last_used));
    if (element.id >= m_size || m_chain_length[element.id] == 0)
        return fail(Error::Malformed); // not the head of a chain in flight
    uint16_t head = uint16_t(element.id);
    if (element.length > m_writable[head])
        return fail(Error::Malformed);
    ++m_last_used;

    // The chain's links come from the shadow m_next, bounded by its recorded length.
    uint16_t tail = head;
    for (uint16_t i = 1; i < m_chain_length[head]; ++i)
        tail = m_next[tail];
    m_next[tail] = m_free_count ? m_free_head : END;
    m_free_head = head;
    m_free_count = uint16_t(m_free_count + m_chain_length[head]);
    m_chain_length[head] = 0;
    m_writable[head] = 0;
    --m_in_flight;
    return std::optional<Completion>{Completion{head, element.length}};
}

} // namespace lib::virtio
