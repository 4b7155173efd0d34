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

#include <atomic>
#include <cstdint>
#include <optional>

#include "kernel/cap/cnode.h"
#include "kernel/mm/address_space.h"
#include "kernel/object/address_space.h"
#include "kernel/object/kernel_object.h"
#include "kernel/syscall/invocation.h"
#include "lib/string_view.h"

namespace kernel::object {

class Process final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::Process;

    static lib::Result<lib::RefPtr<Process>> create();
    // A Ring 3 process: with a user address space sharing the kernel half.
    static lib::Result<lib::RefPtr<Process>> create_user(lib::StringView name);

    // ---- the invocations (abi/syscall.h); process.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::SpawnThread>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::MapMemory>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::UnmapMemory>, syscall::Invocation&);

    cap::CNode& cnode() { return m_cnode; }
    uint64_t pid() const { return m_pid; }

    // What MapMemory mapped into this process, keeping those frames alive while mapped; its
    // lock also guards changes to the user half's page tables and their release.
    Regions& regions() { return m_regions; }

    // Null for kernel processes, and once the process has ended.
    mm::AddressSpace* address_space() { return m_address_space ? &*m_address_space : nullptr; }
    const char* name() const { return m_name; }

    // Thread bookkeeping for process exit: once `exiting` is set, each remaining thread ends
    // itself the next time it is in the kernel; the last one releases the address space.
    std::atomic<bool> exiting{false};
    std::atomic<uint32_t> live_threads{0};
    int exit_code = 0;
    void release_address_space();

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    explicit Process(uint64_t pid) : KernelObject(CAP_TYPE), m_pid(pid) {}

    // Declared first so it is destroyed last: the frames it keeps alive outlive every mapping
    // of them (the address space and the CNode go before it).
    Regions m_regions;
    cap::CNode m_cnode;
    const uint64_t m_pid;
    std::optional<mm::AddressSpace> m_address_space;
    char m_name[32] = {};
};

} // namespace kernel::object
