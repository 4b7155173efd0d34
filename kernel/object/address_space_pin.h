// AddressSpacePin: keeps a process's user address space from being torn down while a syscall
// from another process (or another thread) works on it.
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel/object/process.h"

namespace kernel::object {

// The last of a process's threads releases its address space when live_threads drops to 0
// (scheduler.cpp). A call in flight counts as one more, so a target that exits meanwhile keeps
// its tables until the call is done, and the call releases them if it was the last. Nothing new
// can start in a process whose count has reached 0.
class AddressSpacePin {
public:
    explicit AddressSpacePin(object::Process& process) : m_process(process) {
        uint32_t threads = process.live_threads.load(std::memory_order_acquire);
        while (threads != 0 &&
               !process.live_threads.compare_exchange_weak(threads, threads + 1,
                                                           std::memory_order_acq_rel))
            ;
        m_pinned = threads != 0 && process.address_space();
        if (threads != 0 && !m_pinned)
            release();
    }
    ~AddressSpacePin() {
        if (m_pinned)
            release();
    }
    AddressSpacePin(const AddressSpacePin&) = delete;
    AddressSpacePin& operator=(const AddressSpacePin&) = delete;

    // False for a process that has ended (or a kernel process, which has no user half).
    bool pinned() const { return m_pinned; }

private:
    void release() {
        if (m_process.live_threads.fetch_sub(1, std::memory_order_acq_rel) == 1)
            m_process.release_address_space();
    }
    object::Process& m_process;
    bool m_pinned = false;
};

} // namespace kernel::object
