// SpawnProcess and SpawnThread: starting programs from the initrd and threads in a process.
#include <array>
#include <span>

#include "kernel/syscall/address_space_pin.h"
#include "kernel/syscall/arguments.h"
#include "kernel/syscall/handlers.h"
#include "kernel/syscall/user_memory.h"
#include "kernel/sched/user_process.h"

namespace kernel::syscall {

namespace {

// Initrd paths are short ("bin/hello"); ustar names are at most 255 bytes with their prefix.
constexpr size_t MAX_PATH_LENGTH = 255;

// (const char* path, size_t length) -> process slot
lib::Result<uint64_t> spawn_process(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    uint64_t length = frame.arg1();
    if (length == 0 || length > MAX_PATH_LENGTH)
        return lib::fail(mnos::Error::InvalidArgument);
    std::array<char, MAX_PATH_LENGTH + 1> path{};
    TRY(copy_from_user(self, path.data(), lib::VirtAddr(frame.arg0()), length));
    for (size_t i = 0; i < length; ++i)
        if (path[i] == '\0') // argv[0] is this same buffer as a C string: it must be one
            return lib::fail(mnos::Error::InvalidArgument);
    // Refuse before starting anything when the handle would have nowhere to go. (Another thread
    // of the caller could still fill the last slot in between; then the child runs unowned,
    // which is harmless: it is ended like any process when its threads exit.)
    if (cnode->used_slots() >= mnos::CNODE_SLOTS)
        return lib::fail(mnos::Error::NoSlot);

    const char* argv[] = {path.data()};
    lib::RefPtr<sched::Process> child =
        TRY(sched::spawn_program(lib::StringView(path.data(), length), std::span(argv)));
    mnos::CapSlot slot = TRY(cap::insert(*cnode, std::move(child), mnos::Rights::All));
    return slot.index();
}

// (process slot, entry, stack top, argument) -> thread id
lib::Result<uint64_t> spawn_thread(sched::Thread& self, const SyscallFrame& frame) {
    cap::CNode* cnode = TRY(caller_cnode(self));
    // WRITE: a new thread changes what the process does. Every Process object in the kernel is
    // a sched::Process (the only ProcessObject implementation), so lookup_as may cast to it.
    lib::RefPtr<sched::Process> process =
        TRY(cap::lookup_as<sched::Process>(*cnode, slot_arg(frame.arg0()), mnos::Rights::Write));
    uint64_t entry = frame.arg1();
    uint64_t stack_top = frame.arg2();
    // Checked here too so the answer does not depend on the thread code's order of checks:
    // the entry is an instruction in the user half, the stack top at most its end.
    if (entry < mnos::USER_MIN || entry >= mnos::USER_END || stack_top <= mnos::USER_MIN ||
        stack_top > mnos::USER_END)
        return lib::fail(mnos::Error::BadAddress);
    // A process that has ended (its last thread gone, its user half released) takes no new
    // threads; the pin keeps one that is ending from releasing its tables under the new thread.
    AddressSpacePin pin(*process);
    if (!pin.pinned())
        return lib::fail(mnos::Error::InvalidArgument);
    return TRY(sched::spawn_user_thread(*process, lib::VirtAddr(entry), lib::VirtAddr(stack_top),
                                        frame.arg3()));
}

} // namespace

int64_t sys_spawn_process(sched::Thread& self, SyscallFrame& frame) {
    return to_rax(spawn_process(self, frame));
}
int64_t sys_spawn_thread(sched::Thread& self, SyscallFrame& frame) {
    return to_rax(spawn_thread(self, frame));
}

} // namespace kernel::syscall
