// Process: the kernel object that owns a CNode (its capabilities) and, for a Ring 3 process, a
// user address space with the regions mapped into it. Threads point at the process they run in;
// kernel threads of the boot self-tests use small processes of their own so each has a separate
// CNode.
//
// A Process capability lets its holder act on that process (WRITE for every call below):
// start a thread in it, map and unmap memory in it, and delegate capabilities into its CNode.
//
// Lifetime: reference-counted like every kernel object (capabilities to it, the creator's
// RefPtr, and every user thread until that thread's last switch away).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "kernel/cap/cnode.h"
#include "kernel/mm/address_space.h"
#include "kernel/object/address_space.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/notification.h"
#include "kernel/object/memory_budget.h"
#include "kernel/object/thread.h"
#include "kernel/syscall/invocation.h"
#include "lib/string_view.h"

namespace kernel::object {

class Process final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::Process;

    static lib::Result<lib::RefPtr<Process>> create();
    // What a process object with its CNode is charged to its budget.
    static constexpr uint64_t PROCESS_PAGES = 2;
    // A Ring 3 process: with a user address space sharing the kernel half. It, its page
    // tables, its program image and its threads are charged to `budget`.
    static lib::Result<lib::RefPtr<Process>> create_user(lib::StringView name,
                                                         MemoryBudget& budget);

    // ---- the invocations (abi/syscall.h); process.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::SpawnThread>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::MapMemory>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::MapMmio>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::UnmapMemory>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::WaitProcess>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::KillProcess>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::WatchProcess>, syscall::Invocation&);

    // Notifications signalled when the process ends (WatchProcess): a service learns that a
    // client went without a thread blocked in WaitProcess for each.
    static constexpr size_t MAX_WATCHES = 8;

    cap::CNode& cnode() { return m_cnode; }
    uint64_t pid() const { return m_pid; }

    // What MapMemory mapped into this process, keeping those frames alive while mapped; its
    // lock also guards changes to the user half's page tables and their release.
    Regions& regions() { return m_regions; }
    // The pages the program loader mapped (its segments and the main stack): returned with the
    // address space, never unmappable by UnmapMemory.
    Regions& image() { return m_image; }

    // The budget this process was made from (null for kernel processes): its threads and
    // image are charged to it.
    MemoryBudget* budget() const { return m_charge.budget(); }

    // Null for kernel processes, and once the process has ended.
    mm::AddressSpace* address_space() { return m_address_space ? &*m_address_space : nullptr; }
    const char* name() const { return m_name; }

    // Thread bookkeeping for process exit: once `exiting` is set, each remaining thread ends
    // itself on its next way back to Ring 3; the last one releases the address space, and with
    // it the process has ended (WaitProcess returns).
    std::atomic<bool> exiting{false};
    std::atomic<uint32_t> live_threads{0};
    int exit_code = 0;
    // Starts the process's exit with `how` and, for the logs and self-tests, `code` (the first
    // call decides; later ones change nothing) and returns whether this call was the first.
    bool begin_exit(ExitState how, int code);
    // Ends every thread: begin_exit(Killed), then end_threads().
    void kill();
    // Asks every thread to end (blocked ones are woken, ones running on other CPUs are
    // interrupted); each ends with the process's exit state on its way out of the kernel.
    void end_threads();
    // Blocks `self` until the process has ended (WaitProcess, and kernel self-tests).
    ExitState wait_for_exit(Thread& self) { return m_exit.wait(self); }
    // How the process is ending, once `exiting` is set.
    ExitState exit_state() const;
    // The last user thread's final switch away: tables and frames go, waiters hear the end.
    void release_address_space();

    // A new user process holds one count in live_threads for itself until its first thread
    // starts (so its empty address space is not taken for an ended one); dropped then, or by a
    // kill before any thread, which ends the process at once.
    void drop_creation_hold();

    // User threads join at spawn and leave at their last switch away.
    void attach(Thread& thread);
    void detach(Thread& thread);

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    explicit Process(uint64_t pid) : KernelObject(CAP_TYPE), m_pid(pid) {}

    // Declared first so it is destroyed last: the budget it pays into (and whose allocator the
    // address space draws on) outlives everything below.
    BudgetCharge m_charge;
    // Before the address space and the CNode, so they go first: the frames these keep alive
    // outlive every mapping of them.
    Regions m_regions;
    Regions m_image;
    cap::CNode m_cnode;
    const uint64_t m_pid;
    std::optional<mm::AddressSpace> m_address_space;
    char m_name[32] = {};

    mutable IrqSpinlock m_threads_lock{LockRank::ThreadList};
    lib::IntrusiveList<Thread, &Thread::process_node> m_threads GUARDED_BY(m_threads_lock);
    ExitState m_exit_how GUARDED_BY(m_threads_lock);
    ExitNotice m_exit;
    std::atomic<bool> m_creation_hold{false};

    struct Watch {
        lib::RefPtr<Notification> notification;
        uint64_t bits = 0;
    };
    // Signals every watch, once: the process has ended.
    void signal_watches();
    IrqSpinlock m_watch_lock{LockRank::ProcessWatch};
    std::array<Watch, MAX_WATCHES> m_watches GUARDED_BY(m_watch_lock);
    bool m_watches_signalled GUARDED_BY(m_watch_lock) = false;
};

} // namespace kernel::object
