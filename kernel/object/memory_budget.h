// MemoryBudget: memory to create objects from, as a counted quota of 4 KiB pages (seL4's
// untyped memory, simplified to a count). Holding its capability with WRITE lets a process
// allocate frames and create endpoints, processes and smaller budgets from it; everyone else
// gets memory only from someone who holds one.
//
// Every frame and every kernel object made from a budget is charged to it and refunded when it
// goes: MemoryFrames (AllocMemory), a process's page tables, program image and stack, each of
// its threads (kernel stack and Thread object), its Process object and CNode, endpoints. A
// budget is itself a FrameAllocator, so page-table code draws its frames through it.
// Exhausting a budget is OutOfMemory for whoever draws on it; other budgets are unaffected.
//
// Split (SplitBudget) reserves `pages` of this budget for a new, smaller one, which can be
// handed to a child; the reservation is refunded when the child budget goes. The kernel's
// root budget is the whole physical allocator.
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/mm/frame_allocator.h"
#include "kernel/object/kernel_object.h"
#include "kernel/object/memory_frame.h"
#include "kernel/syscall/invocation.h"

namespace kernel::object {

class MemoryBudget final : public KernelObject, public mm::FrameAllocator {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::MemoryBudget;
    static constexpr uint64_t UNLIMITED = UINT64_MAX;

    // A root budget over `source`, limited to `limit` pages.
    static lib::Result<lib::RefPtr<MemoryBudget>> create(mm::FrameAllocator& source,
                                                         uint64_t limit = UNLIMITED) {
        return create_object<MemoryBudget>(source, limit, lib::RefPtr<MemoryBudget>());
    }

    // ---- the invocations (abi/syscall.h); memory_budget.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::AllocMemory>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::CreateEndpoint>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::CreateNotification>,
                                 syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::SplitBudget>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::CreateProcess>, syscall::Invocation&);

    // ---- the accounting

    // Takes `pages` from the quota, or OutOfMemory (and nothing taken) if they do not fit.
    lib::Result<void> charge(uint64_t pages) {
        uint64_t used = m_used.load(std::memory_order_relaxed);
        do {
            if (pages > m_limit - used)
                return lib::fail(mnos::Error::OutOfMemory);
        } while (!m_used.compare_exchange_weak(used, used + pages, std::memory_order_relaxed));
        return {};
    }
    void refund(uint64_t pages) { m_used.fetch_sub(pages, std::memory_order_relaxed); }

    // A new budget of `pages`, reserved from this one until it goes.
    lib::Result<lib::RefPtr<MemoryBudget>> split(uint64_t pages) {
        TRY(charge(pages));
        auto child = create_object<MemoryBudget>(m_source, pages, lib::RefPtr<MemoryBudget>(this));
        if (!child)
            refund(pages);
        return child;
    }

    uint64_t limit() const { return m_limit; }
    uint64_t used() const { return m_used.load(std::memory_order_relaxed); }

    // FrameAllocator: one frame from the source, charged here.
    lib::Result<lib::PhysAddr> allocate_frame() override {
        TRY(charge(1));
        auto frame = m_source.allocate_frame();
        if (!frame)
            refund(1);
        return frame;
    }
    lib::Result<void> free_frame(lib::PhysAddr frame) override {
        TRY(m_source.free_frame(frame));
        refund(1);
        return {};
    }

    // One fresh frame, owned by the returned MemoryFrame (freed, and refunded, when its last
    // reference goes).
    lib::Result<lib::RefPtr<MemoryFrame>> allocate_memory_frame() {
        lib::PhysAddr frame = TRY(allocate_frame());
        auto object = MemoryFrame::create(frame, 1, this, lib::RefPtr<KernelObject>(this));
        if (!object)
            (void)free_frame(frame); // no object owns it: give it straight back
        return object;
    }

    // `pages` zeroed, physically contiguous pages in one MemoryFrame that owns them (AllocMemory's
    // allocation, for the kernel's own use: the initrd's copy for init).
    lib::Result<lib::RefPtr<MemoryFrame>> allocate_zeroed_run(uint64_t pages);

    mm::FrameAllocator& source() const { return m_source; }

    ~MemoryBudget() override {
        if (m_parent)
            m_parent->refund(m_limit);
    }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    MemoryBudget(mm::FrameAllocator& source, uint64_t limit, lib::RefPtr<MemoryBudget> parent)
        : KernelObject(CAP_TYPE), m_source(source), m_limit(limit), m_parent(std::move(parent)) {}

    mm::FrameAllocator& m_source;
    const uint64_t m_limit;
    std::atomic<uint64_t> m_used{0};
    // Keeps the reservation's owner alive until it is refunded.
    lib::RefPtr<MemoryBudget> m_parent;
};

// What an object was charged at creation, refunded with it (a member of the objects that are
// charged, declared so that it is destroyed after what it pays for).
class BudgetCharge {
public:
    BudgetCharge() = default;
    BudgetCharge(lib::RefPtr<MemoryBudget> budget, uint64_t pages)
        : m_budget(std::move(budget)), m_pages(pages) {}
    BudgetCharge(BudgetCharge&& other)
        : m_budget(std::move(other.m_budget)), m_pages(other.m_pages) {}
    BudgetCharge& operator=(BudgetCharge&& other) {
        settle();
        m_budget = std::move(other.m_budget);
        m_pages = other.m_pages;
        return *this;
    }
    BudgetCharge(const BudgetCharge&) = delete;
    BudgetCharge& operator=(const BudgetCharge&) = delete;
    ~BudgetCharge() { settle(); }

    // Charges `pages` to `budget` (OutOfMemory if they do not fit).
    static lib::Result<BudgetCharge> take(MemoryBudget& budget, uint64_t pages) {
        TRY(budget.charge(pages));
        return BudgetCharge(lib::RefPtr<MemoryBudget>(&budget), pages);
    }
    MemoryBudget* budget() const { return m_budget.get(); }

private:
    void settle() {
        if (m_budget)
            m_budget->refund(m_pages);
        m_budget.reset();
    }
    lib::RefPtr<MemoryBudget> m_budget;
    uint64_t m_pages = 0;
};

} // namespace kernel::object
