#include "kernel/sched/process.h"

#include <atomic>

#include "kernel/arch/x86_64/tlb.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"

namespace kernel::sched {

namespace {
// Process ids are never reused, so a stale id in a log or a test can never name a new process.
std::atomic<uint64_t> g_next_pid{1};
} // namespace

lib::Result<lib::RefPtr<Process>> Process::create() {
    return object::create_object<Process>(g_next_pid.fetch_add(1, std::memory_order_relaxed));
}

namespace {

// User address spaces lose mappings on every CPU that may have them loaded.
class UserTlb final : public mm::TlbInvalidator {
public:
    void invalidate_page(lib::PhysAddr root, lib::VirtAddr virt) override {
        x86_64::tlb::shootdown(root, virt, 1);
    }
};
constinit UserTlb g_user_tlb;

} // namespace

lib::Result<lib::RefPtr<Process>> Process::create_user(lib::StringView name) {
    auto process = TRY(create());
    auto space = TRY(mm::AddressSpace::create(mm::HHDM, mm::pmm(), mm::kernel_page_table_root(),
                                              g_user_tlb));
    process->m_address_space.emplace(std::move(space));
    size_t n = name.length() < sizeof process->m_name - 1 ? name.length() : sizeof process->m_name - 1;
    for (size_t i = 0; i < n; ++i)
        process->m_name[i] = name[i];
    return process;
}

void Process::release_address_space() {
    // Under the mappings lock, so a MapMemory/UnmapMemory from another process holding a
    // capability to this one never works on tables being freed (kernel/syscall/sys_memory.cpp).
    syscall::UserMappings::List mapped;
    {
        Guard guard(m_user_mappings.lock());
        if (m_address_space)
            (void)m_address_space->release();
        m_address_space.reset();
        m_user_mappings.take_all_locked(mapped);
    }
    // The tables are gone and no CPU runs on them (this is the last thread's final switch):
    // the frames MapMemory mapped can go back, unless a capability still holds them.
    syscall::UserMappings::free_all(mapped);
}

} // namespace kernel::sched
