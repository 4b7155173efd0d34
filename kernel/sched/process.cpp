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
    if (m_address_space)
        (void)m_address_space->release();
    m_address_space.reset();
}

} // namespace kernel::sched
