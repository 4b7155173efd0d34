// virtio_blk: a virtio-blk disk in Ring 3 (docs/drivers.md has this driver as its worked
// example). Its manifest entry grants one capability, the PciDevice of its function
// (`pci 1af4:1042`); everything else it reaches through that: its registers (MmioRegions of its
// own BARs), its interrupt (an MSI-X vector the kernel allocated) and its DMA memory. It serves
// the block protocol (abi/block.h) under the name "block": clients attach a buffer once, then
// read and write sectors through it, several at a time (one worker thread per request in
// flight, disk.h), and every request is checked before it reaches the device
// (lib/block/request.h). Arguments: `timeout=MS`, how long a request may stay in the device
// before its client gets Timeout (disk.h's DEFAULT_TIMEOUT_MS without it); `zero-copy=off`,
// every request copied through the driver's own DMA memory (clients.h), which the tests use
// to keep that path checked.
#include "abi/block.h"
#include "abi/init.h"
#include "lib/block/request.h"
#include "lib/command_line.h"
#include "user/drivers/virtio_blk/clients.h"
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
virtio_blk::Disk g_disk;
virtio_blk::ClientTable g_clients;
CapSlot g_endpoint;
CapSlot g_departures; // the kernel signals a client's watch bit when its process ends
bool g_zero_copy = true; // `zero-copy=off` among the arguments: every request copies

// The client's frame is mapped and, where the device has a pin to spare, pinned to it, so its
// requests go to the device without a copy. The entry is not in the table before the pin is
// taken, so no Detach, departure or request can see it half made; if it cannot go in, the pin
// and the mapping go back. The frame's capability is not kept: the mapping and the pin hold it.
lib::Result<rpc::Reply> attach(const rpc::Request& request) {
    CapSlot sent = request.capability.slot;
    if (sent.is_none())
        return lib::fail(Error::InvalidArgument);
    auto what = TRY(sys::inspect(sent));
    if (what.type != mnos::CapType::MemoryFrame || what.size == 0 ||
        what.size > block::MAX_BUFFER_PAGES)
        return lib::fail(Error::InvalidArgument);
    // Out of the window into a slot of our own: mapping and pinning need the frame named.
    CapSlot kept = TRY(sys::delegate(sent, mnos::service_caps::SELF, CapSlot::none(),
                                     mnos::Rights::Read | mnos::Rights::Write));
    auto mapped = mnos::map_shared(kept, what.size, true);
    if (!mapped) {
        (void)sys::drop_cap(kept);
        return lib::fail(mapped.error());
    }
    uint8_t* memory = static_cast<uint8_t*>(*mapped);
    // A frame is physically contiguous (one base, its pages in a row), which is what a chain's
    // data buffer needs. NoSlot (the device's pins all taken) leaves the copy path.
    uint64_t device_address = g_zero_copy ? sys::dma_address(DEVICE, kept).value_or(0) : 0;
    (void)sys::drop_cap(kept);
    if (auto attached = g_clients.attach(request.badge, memory, what.size, device_address);
        !attached) {
        if (device_address)
            (void)sys::dma_release(DEVICE, device_address);
        mnos::free_pages(memory, what.size);
        return lib::fail(attached.error());
    }
    return rpc::Reply{{device_address ? block::ATTACH_DIRECT : 0}, {}};
}

// The client names its process: when that ends, the kernel signals the entry's bit and the
// reaper gives the place back. The Process capability is not kept (rpc::serve drops it).
lib::Result<rpc::Reply> watch(const rpc::Request& request) {
    CapSlot process = request.capability.slot;
    if (process.is_none() || !mnos::has_rights(request.capability.rights, mnos::Rights::Read))
        return lib::fail(Error::InvalidArgument);
    auto what = TRY(sys::inspect(process));
    if (what.type != mnos::CapType::Process)
        return lib::fail(Error::InvalidArgument);
    uint64_t bit = TRY(g_clients.reserve_watch(request.badge));
    if (auto watched = sys::watch_process(process, g_departures, bit); !watched) {
        g_clients.unreserve_watch(request.badge, bit);
        return lib::fail(watched.error());
    }
    return rpc::Reply{};
}

void reaper(void*) {
    while (true) {
        auto bits = sys::wait_notification(g_departures, virtio_blk::WATCH_BITS);
        if (!bits) {
            mnos::println("virtio-blk: the reaper's wait failed: {}", mnos::error_name(bits.error()));
            return;
        }
        g_clients.departed(*bits);
    }
}

lib::Result<rpc::Reply> info() {
    uint64_t flags = (g_disk.read_only() ? block::INFO_READ_ONLY : 0) |
                     (g_disk.can_flush() ? block::INFO_CAN_FLUSH : 0);
    return rpc::Reply{{g_disk.capacity(), block::SECTOR_SIZE, flags}, {}};
}

lib::Result<rpc::Reply> transfer(const rpc::Request& request, RequestType type) {
    virtio_blk::ClientUse client = TRY(g_clients.use(request.badge));
    lib::block::Request r{request.words[0], request.words[1], request.words[2]};
    uint64_t bytes = TRY(lib::block::check_request(r, {g_disk.capacity(), client.bytes()}));
    if (type == RequestType::Out && g_disk.read_only())
        return lib::fail(Error::Unsupported);
    // The client may change its buffer meanwhile; it can only confuse itself: the device
    // reads or writes the pinned buffer directly (or the driver copies through its own slot),
    // and either way only the client's own pages are touched.
    TRY(g_disk.transfer(type, r.sector, client.buffer() + r.offset, uint32_t(bytes), &client));
    return rpc::Reply{{bytes}, {}};
}

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    switch (request.method) {
    case block::Attach: return attach(request);
    case block::Info: return info();
    case block::Read: return transfer(request, RequestType::In);
    case block::Write: return transfer(request, RequestType::Out);
    case block::Flush:
        if (!g_disk.can_flush())
            return lib::fail(Error::Unsupported);
        (void)TRY(g_clients.use(request.badge));
        TRY(g_disk.transfer(RequestType::Flush, 0, nullptr, 0));
        return rpc::Reply{};
    case block::Detach: TRY(g_clients.detach(request.badge)); return rpc::Reply{};
    case block::Watch: return watch(request);
    default: return lib::fail(Error::InvalidArgument);
    }
}

// One worker: a server loop of its own, with a receive window of its own (the CNode's last
// slots, so WORKERS of them leave the first half for everything else), so WORKERS requests can
// be in the device at once.
void worker(void* argument) {
    size_t index = reinterpret_cast<size_t>(argument);
    CapSlot window(uint32_t(mnos::CNODE_SLOTS - 1 - index));
    rpc::serve(g_endpoint, window, handle);
}
static_assert(virtio_blk::WORKERS <= mnos::CNODE_SLOTS / 2);

void watchdog(void*) { g_disk.watch_timeouts(); }

// Starts `body` on a thread of its own. The thread's capability is dropped: nothing joins the
// driver's threads, and 32 of them would fill the CNode (the scheduler keeps each running).
bool start_thread(mnos::Thread::Function body, void* argument) {
    auto thread = mnos::Thread::start(body, argument);
    if (!thread) {
        mnos::println("virtio-blk: no thread: {}", mnos::error_name(thread.error()));
        return false;
    }
    (void)sys::drop_cap(thread->capability());
    return true;
}

// `timeout=MS` among the arguments, or the default.
uint64_t timeout_argument(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        lib::StringView value = lib::command_line_value(argv[i], "timeout");
        if (value.length() == 0)
            continue;
        uint64_t ms = 0;
        bool digits = true;
        for (size_t k = 0; k < value.length() && ms <= 3'600'000; ++k) {
            digits = digits && value[k] >= '0' && value[k] <= '9';
            ms = ms * 10 + uint64_t(value[k] - '0');
        }
        if (digits && ms > 0 && ms <= 3'600'000)
            return ms;
        mnos::println("virtio-blk: ignoring {}: a timeout is 1 to 3600000 ms", argv[i]);
    }
    return virtio_blk::DEFAULT_TIMEOUT_MS;
}

} // namespace

int main(int argc, char** argv) {
    const char* reason = nullptr;
    uint64_t timeout_ms = timeout_argument(argc, argv);
    g_clients.set_device(DEVICE);
    for (int i = 1; i < argc; ++i)
        if (lib::StringView(argv[i]) == lib::StringView("zero-copy=off"))
            g_zero_copy = false;
    if (auto started = g_disk.start(DEVICE, timeout_ms, &reason); !started) {
        mnos::println("virtio-blk: cannot start: {}: {}", reason ? reason : "?",
                      mnos::error_name(started.error()));
        return 1;
    }
    mnos::println("virtio-blk: capacity {} sectors ({} MiB), queue of {}, {}{}{}",
                  g_disk.capacity(), g_disk.capacity() / 2048, g_disk.queue_size(),
                  g_disk.uses_msix() ? "MSI-X" : "INTx", g_disk.can_flush() ? ", flush" : "",
                  g_disk.read_only() ? ", read-only" : "");
    mnos::println("virtio-blk: {} workers, {} request slots, a request times out after {} ms",
                  virtio_blk::WORKERS, g_disk.slots(), timeout_ms);
    mnos::println("virtio-blk: {}", g_zero_copy ? "zero copy: clients' buffers pinned for the device"
                                                : "zero copy off: every request copied");
    auto endpoint = sys::create_endpoint(mnos::service_caps::BUDGET);
    if (!endpoint) {
        mnos::println("virtio-blk: no endpoint: {}", mnos::error_name(endpoint.error()));
        return 1;
    }
    g_endpoint = *endpoint;
    auto departures = sys::create_notification(mnos::service_caps::BUDGET);
    if (!departures) {
        mnos::println("virtio-blk: no notification: {}", mnos::error_name(departures.error()));
        return 1;
    }
    g_departures = *departures;
    if (!start_thread(reaper, nullptr))
        return 1;
    for (size_t i = 0; i < virtio_blk::WORKERS; ++i)
        if (!start_thread(worker, reinterpret_cast<void*>(i)))
            return 1;
    if (!start_thread(watchdog, nullptr))
        return 1;
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
