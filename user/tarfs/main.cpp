// tarfs: the initrd's files and directories, read-only, for any program that looks up "fs"
// (abi/fs.h). Its manifest entry grants it the initrd's frame and nothing else. Each client
// shares a buffer with it (Attach); paths come in through the buffer and data goes back out
// through it, copied first so a client changing its buffer meanwhile can only confuse itself.
#include "abi/fs.h"
#include "abi/init.h"
#include "lib/tar.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"

namespace {

using lib::StringView;
using mnos::CapSlot;
using mnos::Error;
namespace fs = mnos::fs;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot INITRD{mnos::service_caps::FIRST_GRANT};
constexpr CapSlot WINDOW{mnos::CNODE_SLOTS - 1};
constexpr size_t MAX_CLIENTS = 32; // attached buffers, the least recently used given up first
constexpr uint64_t PAGE = 4096;

struct Client {
    uint64_t badge = 0;
    uint8_t* buffer = nullptr;
    size_t bytes = 0;
    uint64_t last_used = 0; // g_requests when it last asked
};
Client g_clients[MAX_CLIENTS];
uint64_t g_requests = 0;
std::span<const uint8_t> g_archive;

Client* client_of(uint64_t badge) {
    for (Client& c : g_clients)
        if (c.buffer && c.badge == badge)
            return &c;
    return nullptr;
}

// The buffer is this service's memory, from its own budget: a client that ends leaves nothing
// of its own behind, and what the table holds is bounded (MAX_CLIENTS buffers). Nothing tells a
// service that a client has ended, so a full table gives the slot of the client that has
// waited longest since its last request: if it comes back, its next request is refused with
// NoSlot and it attaches again (user/libmnos/file_service.h).
lib::Result<rpc::Reply> attach(const rpc::Request& request) {
    uint64_t pages = request.words[0];
    if (pages == 0 || pages > fs::MAX_BUFFER_PAGES)
        return lib::fail(Error::InvalidArgument);
    Client* slot = client_of(request.badge);
    if (!slot) {
        slot = &g_clients[0];
        for (Client& c : g_clients) {
            if (!c.buffer) {
                slot = &c;
                break;
            }
            if (c.last_used < slot->last_used)
                slot = &c;
        }
    }
    CapSlot frame = TRY(sys::alloc_memory(mnos::service_caps::BUDGET, pages));
    auto mapped = mnos::map_shared(frame, pages, true);
    if (!mapped) {
        (void)sys::drop_cap(frame);
        return lib::fail(mapped.error());
    }
    if (slot->buffer)
        mnos::free_pages(slot->buffer, slot->bytes / PAGE);
    *slot = {request.badge, static_cast<uint8_t*>(*mapped), pages * PAGE, ++g_requests};
    // The mapping keeps the frame; the capability goes to the client alone.
    return rpc::Reply{{}, {frame, mnos::Rights::Read | mnos::Rights::Write}, true};
}

// The request's path, copied out of the client's buffer, without a leading '/' or a trailing
// one (the archive's own form: "bin/hello"; "" is the root).
lib::Result<StringView> path_of(const Client& client, uint64_t length, char (&out)[lib::TAR_MAX_PATH + 1]) {
    if (length > client.bytes || length > lib::TAR_MAX_PATH)
        return lib::fail(Error::BadAddress);
    __builtin_memcpy(out, client.buffer, length);
    StringView path(out, length);
    while (path.starts_with("/"))
        path = path.substring(1);
    while (!path.is_empty() && path[path.length() - 1] == '/')
        path = path.substring(0, path.length() - 1);
    for (char c : path)
        if (c == '\0')
            return lib::fail(Error::InvalidArgument);
    return path;
}

// The `index`-th name directly inside `directory`, into the client's buffer.
lib::Result<rpc::Reply> list(const Client& client, StringView directory, uint64_t index) {
    char name[lib::TAR_MAX_PATH + 1];
    lib::TarChild child = TRY(lib::tar_child(g_archive, directory, index, name));
    if (child.name_length > client.bytes)
        return lib::fail(Error::BadAddress);
    __builtin_memcpy(client.buffer, name, child.name_length);
    return rpc::Reply{{child.name_length, child.size,
                       uint64_t(child.directory ? fs::Kind::Directory : fs::Kind::File)},
                      {}};
}

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    if (request.method == fs::Attach)
        return attach(request);
    Client* client = client_of(request.badge);
    if (!client)
        return lib::fail(Error::NoSlot);
    client->last_used = ++g_requests;
    char buffer[lib::TAR_MAX_PATH + 1];
    StringView path = TRY(path_of(*client, request.words[0], buffer));
    switch (request.method) {
    case fs::Stat: {
        lib::TarNode found = TRY(lib::tar_node(g_archive, path));
        fs::Kind kind = found.directory ? fs::Kind::Directory : fs::Kind::File;
        return rpc::Reply{{found.data.size(), uint64_t(kind), 0}, {}};
    }
    case fs::Read: {
        lib::TarNode found = TRY(lib::tar_node(g_archive, path));
        if (found.directory)
            return lib::fail(Error::InvalidArgument);
        uint64_t offset = request.words[1], count = request.words[2];
        if (count > client->bytes)
            return lib::fail(Error::BadAddress);
        if (offset >= found.data.size())
            return rpc::Reply{{0, 0, 0}, {}};
        uint64_t length = found.data.size() - offset < count ? found.data.size() - offset : count;
        __builtin_memcpy(client->buffer, found.data.data() + offset, length);
        return rpc::Reply{{length, 0, 0}, {}};
    }
    case fs::List: {
        lib::TarNode found = TRY(lib::tar_node(g_archive, path));
        if (!found.directory)
            return lib::fail(Error::InvalidArgument);
        return list(*client, path, request.words[1]);
    }
    default: return lib::fail(Error::InvalidArgument);
    }
}

} // namespace

int main(int, char**) {
    const char* reason = nullptr;
    auto archive = mnos::initrd::map(INITRD, &reason);
    if (!archive) {
        mnos::println("tarfs: no initrd: {}", reason ? reason : mnos::error_name(archive.error()));
        return 1;
    }
    g_archive = *archive;
    auto endpoint = sys::create_endpoint(mnos::service_caps::BUDGET);
    if (!endpoint)
        return 1;
    if (auto registered = mnos::names::register_endpoint(fs::SERVICE, *endpoint); !registered) {
        mnos::println("tarfs: cannot register: {}", mnos::error_name(registered.error()));
        return 1;
    }
    mnos::println("tarfs: serving the initrd ({} bytes) as {}", g_archive.size(), fs::SERVICE);
    rpc::serve(*endpoint, WINDOW, handle);
}
