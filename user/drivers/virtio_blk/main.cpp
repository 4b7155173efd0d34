// virtio_blk: a virtio-blk disk in Ring 3 (docs/drivers.md has this driver as its worked
// example). Its manifest entry grants one capability, the PciDevice of its function
// (`pci 1af4:1042`); everything else it reaches through that: its registers (MmioRegions of its
// own BARs), its interrupt (an MSI-X vector the kernel allocated) and its DMA memory. It serves
// the block protocol (abi/block.h) under the name "block": clients attach a buffer once, then
// read and write sectors through it, several at a time (one worker thread per request in
// flight, disk.h), and every request is checked before it reaches the device
// (lib/block/request.h).
#include "abi/block.h"
#include "abi/init.h"
#include "lib/block/request.h"
#include "user/drivers/virtio_blk/disk.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/thread.h"

namespace {

using mnos::CapSlot;
using mnos::Error;
using lib::virtio::blk::RequestType;
namespace block = mnos::block;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot DEVICE{mnos::service_caps::FIRST_GRANT};
constexpr size_t MAX_CLIENTS = 32;
constexpr uint64_t PAGE = 4096;

virtio_blk::Disk g_disk;
CapSlot g_endpoint;

struct Client {
    uint64_t badge = 0;
    uint8_t* buffer = nullptr;
    uint64_t bytes = 0;
};
mnos::SpinLock g_clients_lock;
Client g_clients[MAX_CLIENTS]; // under g_clients_lock; a client's buffer, once set, stays

// The client's attached buffer, or NoSlot.
lib::Result<Client> client_of(uint64_t badge) {
    mnos::LockGuard guard(g_clients_lock);
    for (const Client& c : g_clients)
        if (c.buffer && c.badge == badge)
            return c;
    return lib::fail(Error::NoSlot);
}

lib::Result<rpc::Reply> attach(const rpc::Request& request) {
    if (client_of(request.badge))
        return lib::fail(Error::Exists);
    auto buffer = TRY(mnos::map_sent_buffer(request.capability.slot, block::MAX_BUFFER_PAGES));
    mnos::LockGuard guard(g_clients_lock);
    for (Client& c : g_clients)
        if (!c.buffer) {
            c = {request.badge, buffer.memory, buffer.pages * PAGE};
            return rpc::Reply{};
        }
    mnos::free_pages(buffer.memory, buffer.pages);
    return lib::fail(Error::NoSlot);
}

lib::Result<rpc::Reply> info() {
    uint64_t flags = (g_disk.read_only() ? block::INFO_READ_ONLY : 0) |
                     (g_disk.can_flush() ? block::INFO_CAN_FLUSH : 0);
    return rpc::Reply{{g_disk.capacity(), block::SECTOR_SIZE, flags}, {}};
}

lib::Result<rpc::Reply> transfer(size_t worker, const rpc::Request& request, RequestType type) {
    Client client = TRY(client_of(request.badge));
    lib::block::Request r{request.words[0], request.words[1], request.words[2]};
    uint64_t bytes = TRY(lib::block::check_request(r, {g_disk.capacity(), client.bytes}));
    if (type == RequestType::Out && g_disk.read_only())
        return lib::fail(Error::Unsupported);
    // The client may change its buffer meanwhile; it can only confuse itself: the driver
    // copies through its own DMA memory, so the device never sees the client's pages.
    TRY(g_disk.transfer(worker, type, r.sector, client.buffer + r.offset, uint32_t(bytes)));
    return rpc::Reply{{bytes}, {}};
}

lib::Result<rpc::Reply> handle(size_t worker, const rpc::Request& request) {
    switch (request.method) {
    case block::Attach: return attach(request);
    case block::Info: return info();
    case block::Read: return transfer(worker, request, RequestType::In);
    case block::Write: return transfer(worker, request, RequestType::Out);
    case block::Flush:
        if (!g_disk.can_flush())
            return lib::fail(Error::Unsupported);
        (void)TRY(client_of(request.badge));
        TRY(g_disk.transfer(worker, RequestType::Flush, 0, nullptr, 0));
        return rpc::Reply{};
    default: return lib::fail(Error::InvalidArgument);
    }
}

// One worker: a server loop of its own, with a receive window of its own (the CNode's last
// slots), so WORKERS requests can be in the device at once.
void worker(void* argument) {
    size_t index = reinterpret_cast<size_t>(argument);
    CapSlot window(uint32_t(mnos::CNODE_SLOTS - 1 - index));
    rpc::serve(g_endpoint, window,
               [index](const rpc::Request& request) { return handle(index, request); });
}

} // namespace

int main(int, char**) {
    const char* reason = nullptr;
    if (auto started = g_disk.start(DEVICE, &reason); !started) {
        mnos::println("virtio-blk: cannot start: {}: {}", reason ? reason : "?",
                      mnos::error_name(started.error()));
        return 1;
    }
    mnos::println("virtio-blk: capacity {} sectors ({} MiB), queue of {}, {}{}{}",
                  g_disk.capacity(), g_disk.capacity() / 2048, g_disk.queue_size(),
                  g_disk.uses_msix() ? "MSI-X" : "INTx", g_disk.can_flush() ? ", flush" : "",
                  g_disk.read_only() ? ", read-only" : "");
    auto endpoint = sys::create_endpoint(mnos::service_caps::BUDGET);
    if (!endpoint) {
        mnos::println("virtio-blk: no endpoint: {}", mnos::error_name(endpoint.error()));
        return 1;
    }
    g_endpoint = *endpoint;
    for (size_t i = 0; i < virtio_blk::WORKERS; ++i)
        if (auto thread = mnos::Thread::start(worker, reinterpret_cast<void*>(i)); !thread) {
            mnos::println("virtio-blk: no worker thread: {}", mnos::error_name(thread.error()));
            return 1;
        }
    if (auto registered = mnos::names::register_endpoint(block::SERVICE, g_endpoint);
        !registered) {
        mnos::println("virtio-blk: cannot register \"block\": {}",
                      mnos::error_name(registered.error()));
        return 1;
    }
    mnos::println("virtio-blk: serving \"block\"");
    g_disk.serve_interrupts();
    return 1;
}
