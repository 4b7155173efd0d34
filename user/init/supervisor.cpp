#include "user/init/supervisor.h"

#include "abi/init.h"
#include "user/init/name_server.h"
#include "user/libmnos/console.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/loader.h"
#include "user/libmnos/print.h"
#include "user/libmnos/spin_lock.h"
#include "user/libmnos/thread.h"

namespace init {

namespace {

using lib::ManifestGrant;
using lib::ManifestService;
using lib::RestartPolicy;
using mnos::CapSlot;
using mnos::Rights;
namespace caps = mnos::init_caps;
namespace sys = mnos::sys;

constexpr int RESTART_LIMIT = 5;
constexpr uint64_t FIRST_BACKOFF_MS = 50;
constexpr uint64_t MAX_BACKOFF_MS = 2000;
constexpr size_t MAX_ARGS = 16;

using mnos::init_control::ServiceState;

struct Supervised {
    const ManifestService* service;
    uint64_t badge;
};

// Each supervised service's record, by badge - 1; under g_records_lock.
struct Record {
    const ManifestService* service = nullptr;
    CapSlot process = CapSlot::none(); // while it runs
    uint64_t pid = 0;
    ServiceState state = ServiceState::Starting;
    uint32_t restarts = 0;
};
mnos::SpinLock g_records_lock;
Record g_records[lib::Manifest::SERVICES_MAX];

Record* record_of(uint64_t badge) {
    return badge >= 1 && badge <= lib::Manifest::SERVICES_MAX ? &g_records[badge - 1] : nullptr;
}

void set_state(uint64_t badge, ServiceState state, CapSlot process = CapSlot::none()) {
    mnos::LockGuard guard(g_records_lock);
    Record& r = *record_of(badge);
    r.state = state;
    r.process = process;
    r.pid = 0;
    if (!process.is_none())
        if (auto what = sys::inspect(process))
            r.pid = what->size; // Inspect gives a Process's id
}

// The capabilities made for one start, dropped once they are in the child (or it failed).
class Temporaries {
public:
    ~Temporaries() {
        for (size_t i = 0; i < m_count; ++i)
            (void)sys::drop_cap(m_slots[i]);
    }
    lib::Result<CapSlot> keep(lib::Result<CapSlot> slot) {
        if (slot && m_count < sizeof m_slots / sizeof m_slots[0])
            m_slots[m_count++] = *slot;
        return slot;
    }

private:
    CapSlot m_slots[ManifestService::GRANTS_MAX + 2];
    size_t m_count = 0;
};

// A device grant's rights: use it, and pass it (never wider) to processes the service starts
// itself. Revoke stays with init.
constexpr Rights DEVICE_RIGHTS = Rights::Read | Rights::Write | Rights::Grant;

// The capability a manifest line grants, made from init's root capabilities.
lib::Result<mnos::Grant> make_grant(const ManifestGrant& g, CapSlot destination,
                                    Temporaries& temporaries) {
    switch (g.kind) {
    case ManifestGrant::Kind::Ports: {
        CapSlot ports = TRY(temporaries.keep(
            sys::narrow_ports(caps::IO_PORTS, uint16_t(g.first), g.count)));
        return mnos::Grant{ports, destination, DEVICE_RIGHTS};
    }
    case ManifestGrant::Kind::Irq: {
        CapSlot line = TRY(temporaries.keep(sys::claim_irq(caps::IRQ_CONTROL, g.first)));
        return mnos::Grant{line, destination, DEVICE_RIGHTS};
    }
    case ManifestGrant::Kind::Pci: {
        CapSlot device = TRY(temporaries.keep(sys::claim_pci_device(
            caps::DEVICE_CONTROL, uint16_t(g.first >> 16), uint16_t(g.first), g.count)));
        return mnos::Grant{device, destination, DEVICE_RIGHTS};
    }
    case ManifestGrant::Kind::Initrd:
        return mnos::Grant{caps::INITRD, destination, Rights::Read | Rights::Grant};
    case ManifestGrant::Kind::Framebuffer:
        // The kernel fills the slot, and describes the framebuffer in init's environment, only
        // when the firmware gave it one; otherwise init's own objects may have taken the slot.
        if (mnos::environment(mnos::init_env::FRAMEBUFFER).is_empty())
            return lib::fail(mnos::Error::NotFound);
        return mnos::Grant{caps::FRAMEBUFFER, destination, DEVICE_RIGHTS};
    }
    return lib::fail(mnos::Error::InvalidArgument);
}

// argv: the program's path, then the entry's args split at spaces (into `storage`).
size_t split_args(const ManifestService& s, char (&storage)[ManifestService::ARGS_MAX + 1],
                  const char* (&argv)[MAX_ARGS + 1]) {
    __builtin_memcpy(storage, s.args, sizeof storage);
    size_t argc = 0;
    argv[argc++] = s.program;
    for (size_t i = 0; storage[i] && argc < MAX_ARGS;) {
        while (storage[i] == ' ' || storage[i] == '\t')
            storage[i++] = '\0';
        if (!storage[i])
            break;
        argv[argc++] = &storage[i];
        while (storage[i] && storage[i] != ' ' && storage[i] != '\t')
            ++i;
    }
    argv[argc] = nullptr;
    return argc;
}

lib::Result<CapSlot> start(const Supervised& job, const char** reason) {
    const ManifestService& s = *job.service;
    auto image = TRY(mnos::initrd::file(s.program));
    Temporaries temporaries;
    CapSlot budget = TRY(temporaries.keep(sys::split_budget(caps::BUDGET, s.budget_pages)));
    CapSlot names = TRY(temporaries.keep(
        sys::mint(name_service_endpoint(), job.badge, Rights::Write | Rights::Grant)));
    mnos::Grant grants[ManifestService::GRANTS_MAX + 2];
    size_t count = 0;
    grants[count++] = {budget, mnos::service_caps::BUDGET, Rights::All};
    grants[count++] = {names, mnos::service_caps::NAME_SERVICE, Rights::Write};
    for (size_t i = 0; i < s.grant_count; ++i) {
        auto grant = make_grant(s.grants[i],
                                CapSlot(uint32_t(mnos::service_caps::FIRST_GRANT + i)), temporaries);
        if (!grant) {
            // Say which capability it was: "not found" alone reads as a missing program.
            switch (s.grants[i].kind) {
            case ManifestGrant::Kind::Pci: *reason = "its PCI device is not on this machine"; break;
            case ManifestGrant::Kind::Framebuffer: *reason = "this machine has no framebuffer"; break;
            default: *reason = "a capability its entry names could not be made"; break;
            }
            return lib::fail(grant.error());
        }
        grants[count++] = *grant;
    }
    char storage[ManifestService::ARGS_MAX + 1];
    const char* argv[MAX_ARGS + 1];
    size_t argc = split_args(s, storage, argv);
    // The process is named for its program (the kernel keeps 31 bytes of a name).
    lib::StringView name(s.program);
    // The kernel's description of the machine (abi/init.h's init_env) is every service's too.
    mnos::Program program{name.substring(0, 31), image, std::span(argv, argc),
                          mnos::environment_entries(), budget,
                          std::span(grants, count)};
    return mnos::spawn(program, reason);
}

const char* vector_name(uint64_t vector) {
    switch (vector) {
    case 0: return "divide error";
    case 6: return "invalid opcode";
    case 13: return "general protection fault";
    case 14: return "page fault";
    default: return "exception";
    }
}

void log_end(const ManifestService& s, const sys::ExitStatus& end) {
    switch (end.reason) {
    case mnos::ExitReason::Exited:
        mnos::println("init: service {} ended: exited with code {}", s.name, int64_t(end.code));
        break;
    case mnos::ExitReason::Killed: mnos::println("init: service {} ended: killed", s.name); break;
    case mnos::ExitReason::Faulted:
        mnos::println("init: service {} ended: {} (vector {}) at {:#x}", s.name,
                      vector_name(end.code), end.code, end.fault_address);
        break;
    }
}

bool wants_restart(RestartPolicy policy, const sys::ExitStatus& end) {
    bool clean = end.reason == mnos::ExitReason::Exited && end.code == 0;
    return policy == RestartPolicy::Always || (policy == RestartPolicy::OnFailure && !clean);
}

void run(void* argument) {
    const Supervised job = *static_cast<Supervised*>(argument);
    delete static_cast<Supervised*>(argument);
    const ManifestService& s = *job.service;
    uint64_t backoff = FIRST_BACKOFF_MS;
    for (int restarts = 0;; ++restarts) {
        const char* reason = nullptr;
        {
            mnos::LockGuard guard(g_records_lock);
            record_of(job.badge)->restarts = uint32_t(restarts);
        }
        auto process = start(job, &reason);
        if (!process) {
            set_state(job.badge, ServiceState::Failed);
            mnos::println("init: service {}: cannot start {}: {}{}{}", s.name, s.program,
                          mnos::error_name(process.error()), reason ? ": " : "",
                          reason ? reason : "");
            // A program that is missing or malformed stays so: trying again cannot help.
            mnos::Error error = process.error();
            if (error == mnos::Error::NotFound || error == mnos::Error::Malformed)
                return;
        } else {
            mnos::println("init: service {} started ({})", s.name, s.program);
            set_state(job.badge, ServiceState::Running, *process);
            auto end = sys::wait_process(*process);
            // Out of the record before the capability goes, so stop_service never kills
            // through a slot that has been reused.
            set_state(job.badge, ServiceState::Stopped);
            (void)sys::drop_cap(*process);
            if (end)
                log_end(s, *end);
            forget_names_of(job.badge);
            if (!end) {
                mnos::println("init: service {}: lost: {}", s.name, mnos::error_name(end.error()));
                return;
            }
            if (s.ends_init) {
                mnos::println("init: {} was the last service; init ends with its code", s.name);
                sys::exit(end->reason == mnos::ExitReason::Exited ? int(end->code) : 1);
            }
            if (!wants_restart(s.restart, *end))
                return;
        }
        if (restarts == RESTART_LIMIT) {
            mnos::println("init: service {}: restarted {} times, giving up", s.name,
                          RESTART_LIMIT);
            set_state(job.badge, ServiceState::Failed);
            return;
        }
        set_state(job.badge, ServiceState::Restarting);
        mnos::println("init: service {}: restarting in {} ms", s.name, backoff);
        (void)sys::sleep(backoff);
        backoff = backoff * 2 < MAX_BACKOFF_MS ? backoff * 2 : MAX_BACKOFF_MS;
    }
}

} // namespace

bool supervise(const ManifestService& service, uint64_t badge) {
    if (!record_of(badge))
        return false;
    {
        mnos::LockGuard guard(g_records_lock);
        record_of(badge)->service = &service;
    }
    auto* job = new Supervised{&service, badge};
    auto thread = mnos::Thread::start(run, job);
    if (!thread) {
        delete job;
        return false;
    }
    // Never joined: a supervisor runs as long as init. Its capability is not needed.
    (void)sys::drop_cap(thread->capability());
    return true;
}

ServiceStatus service_status(size_t index) {
    mnos::LockGuard guard(g_records_lock);
    if (index >= lib::Manifest::SERVICES_MAX || !g_records[index].service)
        return {};
    const Record& r = g_records[index];
    return {r.service, r.pid, r.state, r.restarts};
}

bool has_control(uint64_t badge) {
    mnos::LockGuard guard(g_records_lock);
    Record* r = record_of(badge);
    return r && r->service && r->service->control;
}

lib::Result<void> stop_service(lib::StringView name) {
    mnos::LockGuard guard(g_records_lock);
    for (Record& r : g_records)
        if (r.service && lib::StringView(r.service->name) == name) {
            if (r.process.is_none())
                return lib::fail(mnos::Error::InvalidArgument);
            mnos::println("init: stopping service {} on request", r.service->name);
            return sys::kill_process(r.process);
        }
    return lib::fail(mnos::Error::NotFound);
}

} // namespace init
