#include "user/drivers/virtio_blk/disk.h"

#include "abi/init.h"

#include "user/libmnos/print.h"

namespace virtio_blk {

namespace {

using lib::virtio::blk::RequestType;
using mnos::Error;
namespace blk = lib::virtio::blk;
namespace sys = mnos::sys;

constexpr uint64_t PAGE = 4096;
constexpr uint64_t DATA_PAGES = 16;             // 64 KiB: abi/block.h's MAX_SECTORS
constexpr uint64_t SLOT_PAGES = 1 + DATA_PAGES; // the header page, then the data
constexpr uint64_t STATUS_OFFSET = sizeof(blk::Header);
constexpr uint16_t REQUEST_QUEUE = 0;
constexpr uint32_t QUEUE_ENTRY = 0; // the MSI-X table entry of the request queue
// The queue's three parts in one page (64 entries: 1024 + 134 + 518 bytes).
constexpr uint64_t AVAIL_OFFSET = 1024, USED_OFFSET = 2048;
constexpr uint32_t CONFIG_CAPACITY = 0; // virtio_blk_config.capacity, in 512-byte sectors

} // namespace

lib::Result<void> Disk::start(CapSlot device, const char** reason) {
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
    *reason = "no memory for the queue";
    m_rings = TRY(mnos::device::allocate_dma(m_config.capability(), 1));
    for (Slot& slot : m_slots) {
        slot.dma = TRY(mnos::device::allocate_dma(m_config.capability(), SLOT_PAGES));
        slot.done = TRY(sys::create_notification(mnos::service_caps::BUDGET));
    }
    uint8_t* rings = m_rings.memory;
    TRY(m_queue.init({{rings, AVAIL_OFFSET},
                      {rings + AVAIL_OFFSET, USED_OFFSET - AVAIL_OFFSET},
                      {rings + USED_OFFSET, PAGE - USED_OFFSET}},
                     size));
    for (auto& owner : m_owner)
        owner = -1;
    *reason = "no interrupt for the queue";
    m_irq = TRY(sys::device_irq(m_config.capability(), QUEUE_ENTRY));
    if (m_msix)
        m_transport.disable_config_interrupt();
    uint64_t base = m_rings.device_address;
    *reason = "the device refused the queue";
    TRY(m_transport.enable_queue(REQUEST_QUEUE, size,
                                 {base, base + AVAIL_OFFSET, base + USED_OFFSET},
                                 m_msix ? uint16_t(QUEUE_ENTRY) : NO_VECTOR));
    return {};
}

lib::Result<void> Disk::transfer(size_t worker, RequestType type, uint64_t sector, uint8_t* data,
                                 uint32_t bytes) {
    if (worker >= WORKERS || bytes > DATA_PAGES * PAGE)
        return lib::fail(Error::InvalidArgument);
    Slot& slot = m_slots[worker];
    uint8_t* page = slot.dma.memory;
    uint64_t device_base = slot.dma.device_address;
    blk::RequestMemory memory{device_base, device_base + PAGE, device_base + STATUS_OFFSET};
    std::array<lib::virtio::Buffer, 3> storage;
    auto chain = TRY(blk::request_chain(type, memory, bytes, storage));
    blk::Header header{uint32_t(type), 0, sector};
    __builtin_memcpy(page, &header, sizeof header);
    // A value no device writes on success, so a request the device never completed is an error.
    page[STATUS_OFFSET] = 0xff;
    if (type == RequestType::Out)
        __builtin_memcpy(page + PAGE, data, bytes);
    uint16_t record = 0; // a new high-water mark of requests in flight, to log
    {
        mnos::LockGuard guard(m_lock);
        slot.finished = false;
        auto head = m_queue.add(chain);
        // Each worker has at most one chain of three in flight, and the queue holds WORKERS
        // of them: a full queue is a bug, not a load.
        if (!head)
            return lib::fail(head.error());
        m_owner[*head] = int16_t(worker);
        if (m_queue.needs_notify())
            m_transport.notify(REQUEST_QUEUE);
        uint16_t now = m_queue.in_flight();
        if (now > m_most_in_flight)
            record = m_most_in_flight = now;
    }
    // Powers of two only, so the log shows the depth reached without a line per request.
    if (record >= 2 && (record & (record - 1)) == 0)
        mnos::println("virtio-blk: {} requests in flight at once", record);
    while (true) {
        TRY(sys::wait_notification(slot.done));
        mnos::LockGuard guard(m_lock);
        if (slot.finished)
            break;
    }
    // The device wrote the status byte by DMA before it published the completion; the lock the
    // interrupt thread set `finished` under orders that before this read, and the syscalls in
    // between (their asm clobbers memory) keep the compiler from reusing the 0xff it stored.
    TRY(blk::status_result(page[STATUS_OFFSET]));
    if (type == RequestType::In)
        __builtin_memcpy(data, page + PAGE, bytes);
    return {};
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
        mnos::LockGuard guard(m_lock);
        while (true) {
            auto used = m_queue.pop_used();
            if (!used) {
                mnos::println("virtio-blk: the device broke the used ring; giving up");
                return;
            }
            if (!*used)
                break;
            int16_t worker = m_owner[(*used)->head];
            m_owner[(*used)->head] = -1;
            if (worker < 0)
                continue; // pop_used only returns heads in flight, each of which has an owner
            m_slots[worker].finished = true;
            (void)sys::signal(m_slots[worker].done, 1);
        }
    }
}

} // namespace virtio_blk
