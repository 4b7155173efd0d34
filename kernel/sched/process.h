// Process: the kernel object that owns a CNode (its capabilities) and, once the syscall work adds
// them, an address space. Threads point at the process they run in; kernel threads of the boot
// self-tests use small processes of their own so each has a separate CNode.
//
// Lifetime: a Process is reference-counted like every kernel object (capabilities to it and the
// creator's RefPtr). Threads hold a plain pointer, so whoever spawns a thread into a process
// keeps a reference until the thread has exited; the syscall layer's thread lifecycle will make
// that a counted reference of the thread's own.
#pragma once

#include <cstdint>

#include <atomic>
#include <optional>

#include "kernel/cap/cnode.h"
#include "kernel/mm/address_space.h"
#include "kernel/object/process_object.h"
#include "kernel/syscall/user_mappings.h"
#include "lib/string_view.h"

namespace kernel::sched {

class Process final : public object::ProcessObject {
public:
    static lib::Result<lib::RefPtr<Process>> create();
    // A Ring 3 process: with a user address space sharing the kernel half.
    static lib::Result<lib::RefPtr<Process>> create_user(lib::StringView name);

    cap::CNode& cnode() override { return m_cnode; }
    uint64_t pid() const override { return m_pid; }

    // What MapMemory mapped into this process, keeping those frames alive while mapped.
    syscall::UserMappings& user_mappings() { return m_user_mappings; }

    // Null for kernel processes.
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
    friend lib::Result<lib::RefPtr<T>> object::create_object(Args&&...);
    explicit Process(uint64_t pid) : m_pid(pid) {}

    // Declared first so it is destroyed last: the frames it keeps alive outlive every mapping
    // of them (the address space and the CNode go before it).
    syscall::UserMappings m_user_mappings;
    cap::CNode m_cnode;
    const uint64_t m_pid;
    std::optional<mm::AddressSpace> m_address_space;
    char m_name[32] = {};
};

} // namespace kernel::sched
