// Four-level page-table manipulation; see page_table.h.
#include "kernel/mm/page_table.h"

#include <atomic>

namespace kernel::mm {

namespace {

using lib::Error;

constexpr uint64_t PHYS_LIMIT = uint64_t(1) << 52;
constexpr bool is_user_half(lib::VirtAddr virt) { return virt.value() < (uint64_t(1) << 47); }

// Entries are written with single 64-bit atomic accesses: other CPUs' page walkers read them
// concurrently, and the accessed/dirty bits are set by hardware behind the compiler's back.
uint64_t load(uint64_t* entry) {
    return std::atomic_ref<uint64_t>(*entry).load(std::memory_order_relaxed);
}
void store(uint64_t* entry, uint64_t value) {
    std::atomic_ref<uint64_t>(*entry).store(value, std::memory_order_release);
}
uint64_t exchange(uint64_t* entry, uint64_t value) {
    return std::atomic_ref<uint64_t>(*entry).exchange(value, std::memory_order_acq_rel);
}

} // namespace

uint64_t* PageTable::table(lib::PhysAddr frame) const {
    // Sound: `frame` is a page-table frame (the root, or an address taken from a present
    // non-leaf entry), which the DirectMap maps writable and which is 4 KiB aligned.
    return m_window.ptr<uint64_t>(frame);
}

bool PageTable::is_canonical(lib::VirtAddr virt) {
    // Bits 63..47 must all equal bit 47: shifting them out and back sign-extends bit 47.
    int64_t value = int64_t(virt.value());
    return (value << 16) >> 16 == value;
}

lib::Result<PageTable> PageTable::create(DirectMap window, FrameAllocator& frames) {
    lib::PhysAddr root = TRY(frames.allocate_frame());
    __builtin_memset(window.ptr<void>(root), 0, lib::PAGE_SIZE);
    return PageTable(root, window, frames);
}

lib::Result<uint64_t*> PageTable::walk_create(lib::VirtAddr virt, int target) {
    uint64_t* current = table(m_root);
    for (int level = 3; level > target; --level) {
        uint64_t* entry = &current[index(virt, level)];
        uint64_t value = load(entry);
        if (!(value & pte::PRESENT)) {
            lib::PhysAddr frame = TRY(m_frames->allocate_frame());
            __builtin_memset(table(frame), 0, lib::PAGE_SIZE);
            // Tables are permissive (writable, and user-reachable in the lower half); the leaf
            // entry alone decides what an access may do. NX is never set here, for the same reason.
            value = frame.value() | pte::PRESENT | pte::WRITABLE;
            if (is_user_half(virt))
                value |= pte::USER;
            store(entry, value);
        } else if (value & pte::HUGE) {
            return lib::fail(Error::Exists); // a large page already covers this address
        }
        current = table(lib::PhysAddr(value & pte::ADDRESS));
    }
    return &current[index(virt, target)];
}

lib::Result<uint64_t*> PageTable::find_leaf(lib::VirtAddr virt, int* level_out) const {
    uint64_t* current = table(m_root);
    for (int level = 3; level >= 0; --level) {
        uint64_t* entry = &current[index(virt, level)];
        uint64_t value = load(entry);
        if (!(value & pte::PRESENT))
            return lib::fail(Error::NotFound);
        if (level == 0 || (level <= 2 && (value & pte::HUGE))) {
            *level_out = level;
            return entry;
        }
        current = table(lib::PhysAddr(value & pte::ADDRESS));
    }
    return lib::fail(Error::NotFound);
}

lib::Result<void> PageTable::map(lib::VirtAddr virt, lib::PhysAddr phys, PageFlags flags,
                                 PageSize size) {
    uint64_t bytes = page_bytes(size);
    if (!is_canonical(virt) || !virt.is_aligned(bytes) || !phys.is_aligned(bytes) ||
        phys.value() >= PHYS_LIMIT)
        return lib::fail(Error::InvalidArgument);
    // A global user page would stay in the TLB across address-space switches, visible to the
    // next process.
    if (has(flags, PageFlags::User | PageFlags::Global))
        return lib::fail(Error::InvalidArgument);
    uint64_t* entry = TRY(walk_create(virt, size == PageSize::Large ? 1 : 0));
    if (load(entry) & pte::PRESENT)
        return lib::fail(Error::Exists);
    store(entry, encode_leaf(phys.value(), flags, size));
    return {};
}

lib::Result<void> PageTable::map_range(lib::VirtAddr virt, lib::PhysAddr phys, uint64_t bytes,
                                       PageFlags flags) {
    if (!virt.is_aligned(lib::PAGE_SIZE) || !phys.is_aligned(lib::PAGE_SIZE) ||
        bytes % lib::PAGE_SIZE)
        return lib::fail(Error::InvalidArgument);
    uint64_t done = 0;
    while (done < bytes) {
        lib::VirtAddr v = virt + done;
        lib::PhysAddr p = phys + done;
        bool large = v.is_aligned(lib::LARGE_PAGE_SIZE) && p.is_aligned(lib::LARGE_PAGE_SIZE) &&
                     bytes - done >= lib::LARGE_PAGE_SIZE;
        PageSize size = large ? PageSize::Large : PageSize::Small;
        TRY(map(v, p, flags, size));
        done += page_bytes(size);
    }
    return {};
}

lib::Result<Unmapped> PageTable::unmap(lib::VirtAddr virt) {
    if (!is_canonical(virt))
        return lib::fail(Error::InvalidArgument);
    int level = 0;
    uint64_t* entry = TRY(find_leaf(virt, &level));
    if (level == 2)
        return lib::fail(Error::Unsupported); // 1 GiB pages are never created here
    PageSize size = level == 1 ? PageSize::Large : PageSize::Small;
    if (!virt.is_aligned(page_bytes(size)))
        return lib::fail(Error::InvalidArgument);
    uint64_t old = exchange(entry, 0);
    uint64_t mask = size == PageSize::Large ? pte::LARGE_ADDRESS : pte::ADDRESS;
    return Unmapped{lib::PhysAddr(old & mask), size, (old & pte::ACCESSED) != 0};
}

lib::Result<Translation> PageTable::translate(lib::VirtAddr virt) const {
    if (!is_canonical(virt))
        return lib::fail(Error::InvalidArgument);
    int level = 0;
    uint64_t* entry = TRY(find_leaf(virt, &level));
    if (level == 2)
        return lib::fail(Error::Unsupported);
    uint64_t value = load(entry);
    PageSize size = level == 1 ? PageSize::Large : PageSize::Small;
    uint64_t mask = size == PageSize::Large ? pte::LARGE_ADDRESS : pte::ADDRESS;
    uint64_t offset = virt.value() & (page_bytes(size) - 1);
    return Translation{lib::PhysAddr((value & mask) + offset), decode_leaf(value), size};
}

lib::Result<bool> PageTable::protect(lib::VirtAddr virt, PageFlags flags) {
    if (!is_canonical(virt) || has(flags, PageFlags::User | PageFlags::Global))
        return lib::fail(Error::InvalidArgument);
    int level = 0;
    uint64_t* entry = TRY(find_leaf(virt, &level));
    if (level == 2)
        return lib::fail(Error::Unsupported);
    PageSize size = level == 1 ? PageSize::Large : PageSize::Small;
    if (!virt.is_aligned(page_bytes(size)))
        return lib::fail(Error::InvalidArgument);
    uint64_t mask = size == PageSize::Large ? pte::LARGE_ADDRESS : pte::ADDRESS;
    uint64_t old = load(entry);
    old = exchange(entry, encode_leaf(old & mask, flags, size));
    return (old & pte::ACCESSED) != 0;
}

lib::Result<void> PageTable::preallocate_kernel_half() {
    uint64_t* root = table(m_root);
    for (size_t slot = KERNEL_HALF_FIRST; slot < ENTRIES; ++slot) {
        if (load(&root[slot]) & pte::PRESENT)
            continue;
        lib::PhysAddr frame = TRY(m_frames->allocate_frame());
        __builtin_memset(table(frame), 0, lib::PAGE_SIZE);
        store(&root[slot], frame.value() | pte::PRESENT | pte::WRITABLE);
    }
    return {};
}

lib::Result<void> PageTable::free_subtree(lib::PhysAddr table_frame, int level) {
    lib::Result<void> result;
    if (level > 0) {
        uint64_t* entries = table(table_frame);
        for (size_t i = 0; i < ENTRIES; ++i) {
            uint64_t value = load(&entries[i]);
            // Children first, so no table is freed while a live entry still points at it.
            if ((value & pte::PRESENT) && !(value & pte::HUGE)) {
                auto child = free_subtree(lib::PhysAddr(value & pte::ADDRESS), level - 1);
                if (!child && result)
                    result = child;
            }
        }
    }
    auto self = m_frames->free_frame(table_frame);
    if (!self && result)
        result = self;
    return result;
}

lib::Result<void> PageTable::free_tables(size_t first, size_t last) {
    if (first > last || last > ENTRIES)
        return lib::fail(Error::InvalidArgument);
    lib::Result<void> result;
    uint64_t* root = table(m_root);
    for (size_t slot = first; slot < last; ++slot) {
        uint64_t value = exchange(&root[slot], 0);
        if (!(value & pte::PRESENT))
            continue;
        auto subtree = free_subtree(lib::PhysAddr(value & pte::ADDRESS), 2);
        if (!subtree && result)
            result = subtree;
    }
    return result;
}

} // namespace kernel::mm
