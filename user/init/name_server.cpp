#include "user/init/name_server.h"

#include "abi/init.h"
#include "abi/init_control.h"
#include "user/init/control.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"
#include "user/libmnos/spin_lock.h"

namespace init {

namespace {

using mnos::CapSlot;
using mnos::Error;
using mnos::Rights;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr size_t MAX_NAMES = 32;
// The receive window for capabilities that come with requests: the last slot, which nothing
// else in init uses.
constexpr CapSlot WINDOW{mnos::CNODE_SLOTS - 1};
// Badges of lookups: above every service's own badge (its index in the manifest, plus one).
constexpr uint64_t FIRST_CLIENT_BADGE = 1u << 16;

struct Registration {
    char name[mnos::name_service::MAX_NAME + 1];
    CapSlot endpoint; // init's copy: REVOKE, GRANT, WRITE
    uint64_t owner;   // the registering service's badge
    bool used;
};

mnos::SpinLock g_lock;
Registration g_names[MAX_NAMES] = {};
CapSlot g_endpoint;
uint64_t g_next_client_badge = FIRST_CLIENT_BADGE;

Registration* find_locked(lib::StringView name) {
    for (Registration& r : g_names)
        if (r.used && lib::StringView(r.name) == name)
            return &r;
    return nullptr;
}

void withdraw_locked(Registration& r) {
    auto removed = sys::revoke(r.endpoint);
    (void)sys::drop_cap(r.endpoint);
    mnos::println("init: name {} withdrawn ({} client capabilities revoked)", r.name,
                  removed ? *removed : 0);
    r.used = false;
}

lib::Result<rpc::Reply> register_name(const rpc::Request& request, lib::StringView name) {
    CapSlot sent = request.capability.slot;
    if (sent.is_none())
        return lib::fail(Error::InvalidArgument);
    // init must be able to revoke what it hands out, and only an unbadged endpoint mints.
    mnos::sys::CapDescription what = TRY(sys::inspect(sent));
    if (what.type != mnos::CapType::IpcEndpoint || what.badge != 0)
        return lib::fail(Error::WrongType);
    Rights needed = Rights::Write | Rights::Grant | Rights::Revoke;
    if (!mnos::has_rights(what.rights, needed))
        return lib::fail(Error::MissingRights);
    if (request.badge == 0 || request.badge >= FIRST_CLIENT_BADGE)
        return lib::fail(Error::MissingRights); // only services init started register names
    mnos::LockGuard guard(g_lock);
    if (find_locked(name))
        return lib::fail(Error::Exists);
    Registration* free = nullptr;
    for (Registration& r : g_names)
        if (!r.used) {
            free = &r;
            break;
        }
    if (!free)
        return lib::fail(Error::NoSlot);
    // Out of the window into a slot of its own (the window must be empty for the next request).
    CapSlot kept = TRY(sys::delegate(sent, mnos::init_caps::SELF, CapSlot::none(), needed));
    *free = {{}, kept, request.badge, true};
    __builtin_memcpy(free->name, name.data(), name.length()); // NUL-terminated: zeroed above
    mnos::println("init: name {} registered", free->name);
    return rpc::Reply{};
}

lib::Result<rpc::Reply> lookup_name(lib::StringView name) {
    mnos::LockGuard guard(g_lock);
    Registration* r = find_locked(name);
    if (!r)
        return lib::fail(Error::NotFound);
    uint64_t badge = g_next_client_badge++;
    CapSlot badged = TRY(sys::mint(r->endpoint, badge, Rights::Write | Rights::Grant));
    rpc::Reply reply;
    reply.capability = {badged, Rights::Write | Rights::Grant};
    reply.release_after_send = true;
    return reply;
}

lib::Result<rpc::Reply> unregister_name(const rpc::Request& request, lib::StringView name) {
    mnos::LockGuard guard(g_lock);
    Registration* r = find_locked(name);
    if (!r || r->owner != request.badge)
        return lib::fail(Error::NotFound);
    withdraw_locked(*r);
    return rpc::Reply{};
}

lib::Result<rpc::Reply> handle(const rpc::Request& request) {
    if (request.method >= mnos::init_control::ServiceName)
        return handle_control(request);
    char buffer[mnos::name_service::MAX_NAME + 1];
    lib::StringView name = TRY(mnos::names::unpack(request.words, buffer));
    switch (request.method) {
    case mnos::name_service::Register: return register_name(request, name);
    case mnos::name_service::Lookup: return lookup_name(name);
    case mnos::name_service::Unregister: return unregister_name(request, name);
    default: return lib::fail(Error::InvalidArgument);
    }
}

} // namespace

CapSlot name_service_endpoint() { return g_endpoint; }

lib::Result<void> create_name_service() {
    g_endpoint = TRY(sys::create_endpoint(mnos::init_caps::BUDGET));
    return {};
}

void serve_names() { rpc::serve(g_endpoint, WINDOW, handle); }

lib::Result<rpc::Words> name_at(uint64_t index) {
    mnos::LockGuard guard(g_lock);
    for (const Registration& r : g_names)
        if (r.used && index-- == 0)
            return mnos::names::pack(r.name);
    return lib::fail(Error::NotFound);
}

size_t forget_names_of(uint64_t owner) {
    mnos::LockGuard guard(g_lock);
    size_t count = 0;
    for (Registration& r : g_names)
        if (r.used && r.owner == owner) {
            withdraw_locked(r);
            ++count;
        }
    return count;
}

} // namespace init
