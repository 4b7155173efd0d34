#include "user/libmnos/loader.h"

#include "abi/init.h"
#include "lib/elf.h"
#include "user/libmnos/layout.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/spin_lock.h"

namespace mnos {

namespace {

using lib::VirtAddr;

uint64_t g_next_scratch = layout::SCRATCH_BASE;

// Where the child's pages are also mapped in the caller while it fills them.
struct Segment {
    uint64_t child;   // first page in the child
    uint64_t here;    // the same frames in the caller
    uint64_t pages;
};

uint64_t map_flags(lib::SegmentFlags f) {
    return (f.writable ? MAP_WRITE : 0) | (f.executable ? MAP_EXEC : 0);
}

class ChildSink final : public lib::AddressSpaceSink {
public:
    ChildSink(CapSlot budget, CapSlot child) : m_budget(budget), m_child(child) {}

    ~ChildSink() {
        for (size_t i = 0; i < m_count; ++i)
            (void)sys::unmap_memory(service_caps::SELF, m_segments[i].here, m_segments[i].pages);
    }

    lib::Result<void> map_zeroed(VirtAddr page, size_t count, lib::SegmentFlags f) override {
        if (m_count == MAX_SEGMENTS)
            return lib::fail(Error::Malformed);
        uint64_t here = TRY(reserve_addresses(g_next_scratch, layout::SCRATCH_END, count));
        m_segments[m_count++] = {page.value(), here, count};
        return map_fresh(m_budget, m_child, page.value(), count, map_flags(f), here);
    }

    lib::Result<void> copy_to(VirtAddr dst, std::span<const uint8_t> bytes) override {
        uint64_t at = dst.value();
        for (size_t i = 0; i < m_count; ++i) {
            const Segment& s = m_segments[i];
            uint64_t end = s.child + s.pages * layout::PAGE;
            if (at < s.child || at >= end || bytes.size() > end - at)
                continue;
            // Sound: [at, at + size) lies in this segment's pages, mapped writable at `here`.
            __builtin_memcpy(reinterpret_cast<void*>(s.here + (at - s.child)), bytes.data(),
                             bytes.size());
            return {};
        }
        return lib::fail(Error::BadAddress);
    }

private:
    static constexpr size_t MAX_SEGMENTS = 16;
    CapSlot m_budget;
    CapSlot m_child;
    Segment m_segments[MAX_SEGMENTS];
    size_t m_count = 0;
};

// The main thread's stack, with argv and envp laid out at its top as the SysV ABI has them.
lib::Result<uint64_t> build_stack(ChildSink& sink, const Program& program) {
    VirtAddr bottom(layout::MAIN_STACK_TOP - layout::MAIN_STACK_SIZE);
    TRY(sink.map_zeroed(bottom, layout::MAIN_STACK_SIZE / layout::PAGE, {true, true, false}));
    static SpinLock layout_lock; // one layout buffer, not 4 KiB of every caller's stack
    static uint8_t buffer[4096];
    LockGuard guard(layout_lock);
    auto stack = TRY(lib::build_initial_stack(buffer, VirtAddr(layout::MAIN_STACK_TOP),
                                              program.argv, program.envp));
    TRY(sink.copy_to(VirtAddr(layout::MAIN_STACK_TOP - stack.size),
                     std::span<const uint8_t>(buffer + sizeof buffer - stack.size, stack.size)));
    return stack.stack_pointer.value();
}

lib::Result<void> fill(CapSlot child, const Program& program, const lib::ElfImage& parsed) {
    uint64_t stack_pointer;
    {
        ChildSink sink(program.budget, child);
        TRY(lib::elf_load(parsed, program.image, sink));
        stack_pointer = TRY(build_stack(sink, program));
    } // the caller's view of the child's pages goes here
    if (program.give_self)
        TRY(sys::delegate(child, child, service_caps::SELF,
                          Rights::Read | Rights::Write | Rights::Grant));
    for (const Grant& grant : program.grants)
        TRY(sys::delegate(grant.source, child, grant.destination, grant.rights));
    TRY(sys::checked(
        sys::invoke<Syscall::SpawnThread>(child, parsed.entry.value(), stack_pointer, 0)));
    return {};
}

} // namespace

lib::Result<CapSlot> spawn(const Program& program, const char** reason) {
    // Validated before anything is created: a malformed image costs nothing.
    lib::UserRange range{VirtAddr(USER_MIN), VirtAddr(layout::MAIN_STACK_TOP -
                                                      layout::MAIN_STACK_SIZE - layout::PAGE)};
    lib::ElfImage parsed = TRY(lib::elf_parse(program.image, range, reason));
    CapSlot child = TRY(sys::create_process(program.budget, program.name.data(),
                                            program.name.length()));
    if (auto filled = fill(child, program, parsed); !filled) {
        // No thread ever ran: killing it ends it here, and its pages go back to the budget.
        (void)sys::kill_process(child);
        (void)sys::drop_cap(child);
        return lib::fail(filled.error());
    }
    return child;
}

} // namespace mnos
