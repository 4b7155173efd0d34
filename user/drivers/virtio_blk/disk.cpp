#include "user/drivers/virtio_blk/disk.h"

#include <utility>

#include "abi/init.h"

#include "user/libmnos/print.h"

namespace virtio_blk {

namespace {

using lib::virtio::blk::RequestType;
using mnos::Error;
namespace blk = lib::virtio::blk;
namespace sys = mnos::sys;

constexpr uint64_t PAGE = 4096;
constexpr uint64_t DATA_PAGES = 16; // 64 KiB: abi/block.h's MAX_SECTORS
constexpr uint16_t REQUEST_QUEUE = 0;
constexpr uint32_t QUEUE_ENTRY = 0; // the MSI-X table entry of the request queue
// The DMA memory: the queue's three parts in page 0 (128 entries: 2048 + 262 + 1030 bytes), the
// slots' headers and status bytes in page 1, then each slot's data.
constexpr uint64_t AVAIL_OFFSET = 2048, USED_OFFSET = 2560;
constexpr uint64_t HEADER_PAGE = 1, FIRST_DATA_PAGE = 2;
constexpr uint64_t HEADER_STRIDE = 32; // a 16-byte header, then the status byte
constexpr uint64_t STATUS_OFFSET = sizeof(blk::Header);
constexpr uint64_t MEMORY_PAGES = FIRST_DATA_PAGE + SLOTS * DATA_PAGES;
static_assert(SLOTS * HEADER_STRIDE <= PAGE && STATUS_OFFSET < HEADER_STRIDE);
static_assert(SLOTS < 62, "one notification bit per slot, and the watchdog's");
constexpr uint32_t CONFIG_CAPACITY = 0; // virtio_blk_config.capacity, in 512-byte sectors

constexpr uint64_t WATCHDOG_BIT = uint64_t(1) << 62; // a notification has bits 0..62
constexpr uint64_t WATCHDOG_PERIOD_MS = 50;

uint64_t slot_bit(size_t index) { return uint64_t(1) << index; }

// Copies a request's data between a slot and a client's buffer: whole sectors, 8-byte aligned
// at both ends (page-aligned buffers, offsets in sectors). In 16-byte SSE moves, not memcpy's
// rep movsb: under QEMU's TCG a string instruction runs one element per step, so 64 KiB by
// bytes cost a quarter of a read's time, and in 16-byte pieces a sixteenth of that.
[[gnu::target("sse2")]] void copy_sectors(uint8_t* to, const uint8_t* from, uint32_t bytes) {
    // A typedef, not a using-declaration: only a typedef may lower a type's alignment.
    typedef long long Chunk __attribute__((vector_size(16), aligned(8)));
    for (uint32_t at = 0; at < bytes; at += sizeof(Chunk)) {
        // Sound: `bytes` is a multiple of 512, so every chunk lies inside both buffers; the
        // type's 8-byte alignment is what the buffers guarantee (unaligned 16-byte moves).
        Chunk chunk = *reinterpret_cast<const Chunk*>(from + at);
        *reinterpret_cast<Chunk*>(to + at) = chunk;
    }
}

} // namespace

lib::Result<void> Disk::start(CapSlot device, uint64_t timeout_ms, const char** reason) {
    m_timeout_periods = uint32_t((timeout_ms + WATCHDOG_PERIOD_MS - 1) / WATCHDOG_PERIOD_MS);
    if (m_timeout_periods == 0)
        m_timeout_periods = 1;
    m_config = mnos::device::PciConfig(device);
    // Memory decoding for the BARs first; bus mastering only after the reset. The claim that
    // gave us the device switched bus mastering off and released the previous driver's DMA
    // memory, but the device may still hold that driver's queue addresses: until it is reset,
    // letting it master could write into frames that now belong to someone else.
    *reason = "cannot enable the device";
    TRY(sys::pci_config_write(device, lib::pci::reg::COMMAND, 2, lib::pci::COMMAND_MEMORY));
    lib::pci::CapabilityList caps;
    if (!lib::pci::walk_capabilities(m_config, {}, lib::pci::VIRTIO_VENDOR, caps)) {
        *reason = "malformed capability list";
        return lib::fail(Error::Malformed);
    }
    TRY(m_transport.open(m_config, caps, reason));
    *reason = "the device did not reset";
    TRY(m_transport.reset());
    *reason = "cannot enable bus mastering";
    TRY(sys::pci_config_write(device, lib::pci::reg::COMMAND, 2,
                              lib::pci::COMMAND_MEMORY | lib::pci::COMMAND_BUS_MASTER));
    m_transport.add_status(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    *reason = "the device lacks VIRTIO_F_VERSION_1";
    auto features = m_transport.negotiate(blk::F_FLUSH | blk::F_RO, blk::F_VERSION_1);
    if (!features) {
        m_transport.add_status(STATUS_FAILED);
        return lib::fail(features.error());
    }
    m_features = *features;
    m_msix = caps.msix.has_value();
    TRY(set_up_queue(reason));
    m_transport.add_status(STATUS_DRIVER_OK);
    m_capacity = m_transport.device_read32(CONFIG_CAPACITY) |
                 uint64_t(m_transport.device_read32(CONFIG_CAPACITY + 4)) << 32;
    *reason = nullptr;
    return {};
}

lib::Result<void> Disk::set_up_queue(const char** reason) {
    *reason = "no request queue";
    uint16_t max = m_transport.max_queue_size(REQUEST_QUEUE);
    if (max == 0)
        return lib::fail(Error::Unsupported);
    uint16_t size = max < QUEUE_SIZE_LIMIT ? max : QUEUE_SIZE_LIMIT;
    // A power of two (split queues' sizes are, but a device's maximum need not be).
    while (size & (size - 1))
        size &= uint16_t(size - 1);
    // One frame for everything the device reaches: a device pins at most 32 frames.
    *reason = "no memory for the queue and its slots";
    m_memory = TRY(mnos::device::allocate_dma(m_config.capability(), MEMORY_PAGES));
    m_events = TRY(sys::create_notification(mnos::service_caps::BUDGET));
    uint8_t* rings = m_memory.memory;
    TRY(m_queue.init({{rings, AVAIL_OFFSET},
                      {rings + AVAIL_OFFSET, USED_OFFSET - AVAIL_OFFSET},
                      {rings + USED_OFFSET, PAGE - USED_OFFSET}},
                     size));
    m_usable_slots = size / 3 < SLOTS ? size / 3 : SLOTS;
    for (auto& owner : m_owner)
        owner = -1;
    *reason = "no interrupt for the queue";
    m_irq = TRY(sys::device_irq(m_config.capability(), QUEUE_ENTRY));
    if (m_msix)
        m_transport.disable_config_interrupt();
    uint64_t base = m_memory.device_address;
    *reason = "the device refused the queue";
    TRY(m_transport.enable_queue(REQUEST_QUEUE, size,
                                 {base, base + AVAIL_OFFSET, base + USED_OFFSET},
                                 m_msix ? uint16_t(QUEUE_ENTRY) : NO_VECTOR));
    return {};
}

uint8_t* Disk::header_of(size_t index) const {
    return m_memory.memory + HEADER_PAGE * PAGE + index * HEADER_STRIDE;
}
uint64_t Disk::header_address(size_t index) const {
    return m_memory.device_address + HEADER_PAGE * PAGE + index * HEADER_STRIDE;
}
uint8_t* Disk::data_of(size_t index) const {
    return m_memory.memory + (FIRST_DATA_PAGE + index * DATA_PAGES) * PAGE;
}
uint64_t Disk::data_address(size_t index) const {
    return m_memory.device_address + (FIRST_DATA_PAGE + index * DATA_PAGES) * PAGE;
}

lib::Result<size_t> Disk::reserve_slot() {
    mnos::LockGuard guard(m_lock);
    for (size_t i = 0; i < m_usable_slots; ++i)
        if (m_slots[i].state == State::Free) {
            m_slots[i].state = State::Reserved;
            return i;
        }
    // With a slot for every worker, only slots the device never gave back run out.
    return lib::fail(Error::Busy);
}

void Disk::release_slot(size_t index) {
    mnos::LockGuard guard(m_lock);
    m_slots[index].state = State::Free;
}

lib::Result<void> Disk::transfer(RequestType type, uint64_t sector, uint8_t* data,
                                 uint32_t bytes, ClientUse* client) {
    if (bytes > DATA_PAGES * PAGE)
        return lib::fail(Error::InvalidArgument);
    // The client's buffer is one contiguous frame at its device address, and `data` lies inside
    // it (the request was checked against the buffer's size), so its device address is the
    // frame's plus the same offset.
    bool direct = client && client->device_address() != 0 && bytes > 0;
    uint64_t direct_address =
        direct ? client->device_address() + uint64_t(data - client->buffer()) : 0;
    size_t index = TRY(reserve_slot());
    uint8_t* header_memory = header_of(index);
    blk::RequestMemory memory{header_address(index), direct ? direct_address : data_address(index),
                              header_address(index) + STATUS_OFFSET};
    std::array<lib::virtio::Buffer, 3> storage;
    auto chain = blk::request_chain(type, memory, bytes, storage);
    if (!chain) {
        release_slot(index);
        return lib::fail(chain.error());
    }
    blk::Header header{uint32_t(type), 0, sector};
    __builtin_memcpy(header_memory, &header, sizeof header);
    // A value no device writes on success, so a request the device never completed is an error.
    header_memory[STATUS_OFFSET] = 0xff;
    if (type == RequestType::Out && !direct)
        copy_sectors(data_of(index), data, bytes);
    uint16_t record = 0; // a new high-water mark of requests in flight, to log
    bool wake_watchdog = false;
    {
        mnos::LockGuard guard(m_lock);
        auto head = m_queue.add(*chain);
        // Each slot has at most one chain of three in flight, and the queue holds every
        // slot's: a full queue is a bug, not a load.
        if (!head) {
            m_slots[index].state = State::Free;
            return lib::fail(head.error());
        }
        m_owner[*head] = int16_t(index);
        m_slots[index].state = State::InFlight;
        m_slots[index].age = 0;
        m_slots[index].sector = sector;
        m_slots[index].direct = direct;
        m_direct += direct ? 1 : 0;
        if (m_queue.needs_notify())
            m_transport.notify(REQUEST_QUEUE);
        uint16_t now = m_queue.in_flight();
        if (now > m_most_in_flight)
            record = m_most_in_flight = now;
        wake_watchdog = std::exchange(m_watchdog_idle, false);
    }
    if (wake_watchdog)
        (void)sys::signal(m_events, WATCHDOG_BIT);
    // Powers of two only, so the log shows the depth reached without a line per request.
    if (record >= 2 && (record & (record - 1)) == 0)
        mnos::println("virtio-blk: {} requests in flight at once", record);
    while (true) {
        TRY(sys::wait_notification(m_events, slot_bit(index)));
        mnos::LockGuard guard(m_lock);
        if (m_slots[index].state == State::Done)
            break;
        if (m_slots[index].state == State::TimedOut) {
            // The device may still write the slot, and for a direct request the client's
            // buffer: both stay the device's until it returns the chain (serve_interrupts).
            m_slots[index].state = State::Abandoned;
            if (direct)
                m_slots[index].kept = client->keep();
            return lib::fail(Error::Timeout);
        }
    }
    // The device wrote the status byte by DMA before it published the completion; the lock the
    // interrupt thread set Done under orders that before this read, and the syscalls in
    // between (their asm clobbers memory) keep the compiler from reusing the 0xff it stored.
    auto status = blk::status_result(header_memory[STATUS_OFFSET]);
    if (status && type == RequestType::In && !direct)
        copy_sectors(data, data_of(index), bytes);
    release_slot(index);
    return status;
}

void Disk::serve_interrupts() {
    while (true) {
        if (auto waited = sys::wait_irq(m_irq); !waited) {
            mnos::println("virtio-blk: interrupt wait failed: {}", mnos::error_name(waited.error()));
            return;
        }
        // INTx is shared and level-triggered: reading the ISR acknowledges it. MSI-X needs none.
        if (!m_msix)
            (void)m_transport.read_isr();
        uint64_t finished = 0; // slots whose workers to wake, once the lock is released
        bool late = false;
        KeptUse kept[SLOTS]; // late direct requests' client uses, released unlocked
        size_t kept_count = 0;
        {
            mnos::LockGuard guard(m_lock);
            while (true) {
                auto used = m_queue.pop_used();
                if (!used) {
                    mnos::println("virtio-blk: the device broke the used ring; giving up");
                    return;
                }
                if (!*used)
                    break;
                int16_t index = m_owner[(*used)->head];
                m_owner[(*used)->head] = -1;
                if (index < 0)
                    continue; // pop_used only returns heads in flight, each of which has an owner
                Slot& slot = m_slots[index];
                if (slot.state == State::Abandoned) {
                    slot.state = State::Free; // its worker answered Timeout long ago
                    late = true;
                    if (slot.kept)
                        kept[kept_count++] = std::exchange(slot.kept, KeptUse{});
                    continue;
                }
                // InFlight, or TimedOut with the worker not yet woken: the result wins.
                slot.state = State::Done;
                finished |= slot_bit(size_t(index));
            }
        }
        if (finished)
            (void)sys::signal(m_events, finished);
        // Releasing a use may let the client's entry go (DmaRelease, unmapping): syscalls,
        // so after the lock. The device has returned these chains: it no longer reaches them.
        for (size_t i = 0; i < kept_count; ++i)
            kept[i].release();
        if (kept_count)
            mnos::println("virtio-blk: a request that timed out completed after all, into its "
                          "client's buffer; its slot and its hold on the client are free again");
        else if (late)
            mnos::println("virtio-blk: a request that timed out completed after all; its slot "
                          "is free again");
    }
}

void Disk::watch_timeouts() {
    while (true) {
        bool idle = true;
        {
            mnos::LockGuard guard(m_lock);
            for (size_t i = 0; i < m_usable_slots; ++i)
                if (m_slots[i].state == State::InFlight)
                    idle = false;
            m_watchdog_idle = idle;
        }
        // Nothing to time: sleep until a request is placed (transfer signals the bit).
        if (idle) {
            if (auto waited = sys::wait_notification(m_events, WATCHDOG_BIT); !waited) {
                mnos::println("virtio-blk: the watchdog's wait failed: {}; no timeouts",
                              mnos::error_name(waited.error()));
                return;
            }
            continue;
        }
        (void)sys::sleep(WATCHDOG_PERIOD_MS);
        uint64_t expired = 0;
        uint64_t first_sector = 0;
        {
            mnos::LockGuard guard(m_lock);
            for (size_t i = 0; i < m_usable_slots; ++i) {
                Slot& slot = m_slots[i];
                // Each request is counted from the first period it saw whole or in part, so it
                // times out between one period short of the timeout and the timeout.
                if (slot.state != State::InFlight || ++slot.age < m_timeout_periods)
                    continue;
                slot.state = State::TimedOut;
                if (!expired)
                    first_sector = slot.sector;
                expired |= slot_bit(i);
            }
        }
        if (expired) {
            mnos::println("virtio-blk: {} request(s) timed out after {} ms (the first at sector "
                          "{}); the device keeps their slots",
                          __builtin_popcountll(expired), m_timeout_periods * WATCHDOG_PERIOD_MS,
                          first_sector);
            (void)sys::signal(m_events, expired);
        }
    }
}

} // namespace virtio_blk
