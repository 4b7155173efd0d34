// Threads of this process: start one on a function, join it for how it ended. Each has a
// 64 KiB stack from the page region (with a guard page below), freed by join().
#pragma once

#include "lib/result.h"
#include "user/libmnos/syscall.h"

namespace mnos {

class Thread {
public:
    using Function = void (*)(void* argument);

    // OutOfMemory (the stack, or the kernel's thread charge against the budget), NoSlot.
    static lib::Result<Thread> start(Function function, void* argument);

    // Waits for the thread to end; then its stack and capability are gone. Once only.
    lib::Result<sys::ExitStatus> join();

    CapSlot capability() const { return m_slot; }

private:
    Thread(CapSlot slot, void* start) : m_slot(slot), m_start(start) {}
    CapSlot m_slot;
    void* m_start; // the StartRecord at the stack's top, which owns the stack
};

} // namespace mnos
