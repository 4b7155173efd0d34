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
constexpr size_t MAX_CLIENTS = 32;
constexpr uint64_t PAGE = 4096;

struct Client {
    uint64_t badge = 0;
    uint8_t* buffer = nullptr;
    size_t bytes = 0;
};
Client g_clients[MAX_CLIENTS];
std::span<const uint8_t> g_archive;

Client* client_of(uint64_t badge) {
    for (Client& c : g_clients)
        if (c.buffer && c.badge == badge)
            return &c;
    return nullptr;
}

lib::Result<rpc::Reply> attach(const rpc::Request& request) {
    CapSlot sent = request.capability.slot;
    if (sent.is_none())
        return lib::fail(Error::InvalidArgument);
    auto what = TRY(sys::inspect(sent));
    if (what.type != mnos::CapType::MemoryFrame || what.size == 0 ||
        what.size > fs::MAX_BUFFER_PAGES)
        return lib::fail(Error::InvalidArgument);
    Client* slot = client_of(request.badge);
    if (!slot)
        for (Client& c : g_clients)
            if (!c.buffer) {
                slot = &c;
                break;
            }
    if (!slot)
        return lib::fail(Error::NoSlot);
    // Out of the window into a slot of our own: the mapping needs the frame to stay named.
    CapSlot kept = TRY(sys::delegate(sent, mnos::service_caps::SELF, CapSlot::none(),
                                     mnos::Rights::Read | mnos::Rights::Write));
    auto mapped = mnos::map_shared(kept, what.size, true);
    (void)sys::drop_cap(kept); // the mapping keeps the frame
    if (!mapped)
        return lib::fail(mapped.error());
    if (slot->buffer)
        mnos::free_pages(slot->buffer, slot->bytes / PAGE);
    *slot = {request.badge, static_cast<uint8_t*>(*mapped), what.size * PAGE};
    return rpc::Reply{};
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

struct Found {
    std::span<const uint8_t> data;
    fs::Kind kind;
};

// A file, or a directory: one with an entry of its own, or one some path lies under.
lib::Result<Found> find(StringView path) {
    if (path.is_empty())
        return Found{{}, fs::Kind::Directory};
    lib::TarReader reader(g_archive);
    bool directory = false;
    while (auto entry = reader.next()) {
        if (!*entry)
            break;
        StringView name((*entry)->path, (*entry)->path_length);
        while (!name.is_empty() && name[name.length() - 1] == '/')
            name = name.substring(0, name.length() - 1);
        if (name == path)
            return Found{(*entry)->data, (*entry)->type == lib::TarType::Directory
                                             ? fs::Kind::Directory
                                             : fs::Kind::File};
        if (name.length() > path.length() && name.starts_with(path) && name[path.length()] == '/')
            directory = true;
    }
    if (directory)
        return Found{{}, fs::Kind::Directory};
    return lib::fail(Error::NotFound);
}

struct Child {
    char name[lib::TAR_MAX_PATH + 1]; // a copy: the reader's entry is gone at its next step
    size_t length;
    size_t size;
    bool directory;
    StringView view() const { return {name, length}; }
};

// The `index`-th distinct name directly inside `directory`, in archive order: a file, or a
// directory (with an entry of its own or only paths under it).
lib::Result<rpc::Reply> list(const Client& client, StringView directory, uint64_t index) {
    constexpr size_t MAX_CHILDREN = 256;
    static Child children[MAX_CHILDREN]; // 64 KiB: not on the stack; one request at a time
    size_t count = 0;
    size_t prefix = directory.is_empty() ? 0 : directory.length() + 1;
    lib::TarReader reader(g_archive);
    while (auto entry = reader.next()) {
        if (!*entry)
            break;
        StringView name((*entry)->path, (*entry)->path_length);
        if (prefix && !(name.length() > prefix && name.starts_with(directory) &&
                        name[directory.length()] == '/'))
            continue;
        StringView rest = name.substring(prefix);
        size_t slash = rest.find('/');
        StringView child = rest.substring(0, slash);
        if (child.is_empty())
            continue;
        bool known = false;
        for (size_t i = 0; i < count && !known; ++i)
            known = children[i].view() == child;
        if (known || count == MAX_CHILDREN)
            continue;
        bool is_directory = slash < rest.length() || (*entry)->type == lib::TarType::Directory;
        Child& c = children[count++];
        __builtin_memcpy(c.name, child.data(), child.length());
        c.length = child.length();
        c.size = is_directory ? 0 : (*entry)->data.size();
        c.directory = is_directory;
    }
    if (index >= count)
        return lib::fail(Error::NotFound);
    const Child& c = children[index];
    if (c.length > client.bytes)
        return lib::fail(Error::BadAddress);
    __builtin_memcpy(client.buffer, c.name, c.length);
    return rpc::Reply{{c.length, c.size,
                       uint64_t(c.directory ? fs::Kind::Directory : fs::Kind::File)},
                      {}};
}

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    if (request.method == fs::Attach)
        return attach(request);
    Client* client = client_of(request.badge);
    if (!client)
        return lib::fail(Error::NoSlot);
    char buffer[lib::TAR_MAX_PATH + 1];
    StringView path = TRY(path_of(*client, request.words[0], buffer));
    switch (request.method) {
    case fs::Stat: {
        Found found = TRY(find(path));
        return rpc::Reply{{found.data.size(), uint64_t(found.kind), 0}, {}};
    }
    case fs::Read: {
        Found found = TRY(find(path));
        if (found.kind != fs::Kind::File)
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
        Found found = TRY(find(path));
        if (found.kind != fs::Kind::Directory)
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
