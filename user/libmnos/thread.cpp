#include "user/libmnos/thread.h"

#include <cstdint>

#include "abi/init.h"
#include "user/libmnos/layout.h"
#include "user/libmnos/memory.h"

namespace mnos {

namespace {

constexpr uint64_t STACK_PAGES = 16;

// At the top of the new thread's stack: what to run.
struct StartRecord {
    Thread::Function function;
    void* argument;
    void* stack_base;
};

[[noreturn]] void thread_entry(uint64_t record_address) {
    // Sound: start() put the record there and nothing else writes it before the thread reads.
    auto* record = reinterpret_cast<StartRecord*>(record_address);
    record->function(record->argument);
    sys::exit_thread();
}

} // namespace

lib::Result<Thread> Thread::start(Function function, void* argument) {
    void* base = TRY(allocate_pages(STACK_PAGES));
    uint64_t top = reinterpret_cast<uint64_t>(base) + STACK_PAGES * layout::PAGE;
    uint64_t record_at = (top - sizeof(StartRecord)) & ~uint64_t(15);
    // Sound: the record's bytes are inside the stack just mapped.
    auto* record = reinterpret_cast<StartRecord*>(record_at);
    *record = {function, argument, base};
    // As if a return address had just been pushed: RSP + 8 is 16-byte aligned at entry.
    uint64_t stack_pointer = record_at - 8;
    auto slot = sys::spawn_thread(service_caps::SELF, thread_entry,
                                  reinterpret_cast<void*>(stack_pointer), record_at);
    if (!slot) {
        free_pages(base, STACK_PAGES);
        return lib::fail(slot.error());
    }
    return Thread(*slot, record);
}

lib::Result<sys::ExitStatus> Thread::join() {
    sys::ExitStatus status = TRY(sys::wait_thread(m_slot));
    (void)sys::drop_cap(m_slot);
    // The thread has ended: nothing runs on its stack any more.
    void* base = static_cast<StartRecord*>(m_start)->stack_base;
    free_pages(base, STACK_PAGES);
    m_slot = CapSlot::none();
    return status;
}

} // namespace mnos
