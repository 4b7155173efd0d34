// Phase 2: memory management comes up in this order, each step using only what came before:
//   1. the PMM over the firmware memory map, minus the kernel image and the boot data;
//   2. the kernel's own page tables: the HHDM (RAM and firmware data, never executable) and the
//      kernel image section by section under W^X, then CR3 switches to them, which also drops
//      the boot identity map and the null page;
//   3. the heap, which grows by mapping PMM frames.
// Frames used in step 2 come from low memory (the PMM allocates bottom-up), which the boot HHDM
// already maps; alloc_table_frame() checks that rather than trusting it.
#include "kernel/mm/memory.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/debug/log.h"
#include "kernel/debug/panic.h"
#include "kernel/mm/boot_reservations.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/kernel_heap.h"
#include "kernel/mm/page_heap_grower.h"
#include "kernel/mm/page_table.h"
#include "kernel/sync/spinlock.h"

// Section bounds from kernel/linker.ld.
extern "C" const uint8_t __kernel_phys_start[], __kernel_phys_end[];
extern "C" const uint8_t __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern "C" const uint8_t __data_start[], __bss_end[], __ksyms_start[], __ksyms_end[];

namespace kernel::mm {

namespace {

using lib::PhysAddr;
using lib::VirtAddr;

constexpr uint64_t KERNEL_VMA = layout::KERNEL_IMAGE_BASE;
constexpr uint64_t LOW_MEMORY_END = 1024 * 1024;
constexpr uint64_t MAX_STACKS = 4096; // slots tracked; far below layout::STACK_SLOTS

constinit PhysicalAllocator g_pmm;
// Lock order: heap -> kernel mappings -> PMM (the PMM has its own lock inside).
constinit IrqSpinlock g_mappings_lock{LockRank::KernelMappings};
constinit PageTable* g_kernel_table PT_GUARDED_BY(g_mappings_lock) = nullptr;
alignas(PageTable) constinit uint8_t g_kernel_table_storage[sizeof(PageTable)] = {};
// The kernel PML4 never moves once build_kernel_tables() made it, so it is read without the lock.
constinit PhysAddr g_kernel_root;
constinit uint64_t g_mmio_next GUARDED_BY(g_mappings_lock) = layout::MMIO_BASE;
constinit uint64_t g_stack_slots_used[MAX_STACKS / 64] GUARDED_BY(g_mappings_lock) = {};

class KernelTlb final : public TlbInvalidator {
public:
    // Kernel-half mappings are in every address space, so the current CR3 always covers them.
    void invalidate_page(PhysAddr, VirtAddr virt) override { cpu::invlpg(virt.value()); }
};
constinit KernelTlb g_tlb;

// Serialises the heap's page mapping with every other change to the kernel tables.
class LockedHeapGrower final : public HeapGrower {
public:
    lib::Result<void> grow(VirtAddr end, size_t bytes) override {
        Guard guard(g_mappings_lock);
        PageHeapGrower grower(*g_kernel_table, g_pmm, g_tlb);
        return grower.grow(end, bytes);
    }
};
constinit LockedHeapGrower g_heap_grower;

uint64_t kernel_phys(const uint8_t* symbol) { return reinterpret_cast<uint64_t>(symbol); }
uint64_t image_virt(const uint8_t* symbol) { return reinterpret_cast<uint64_t>(symbol); }

template <typename T> T must(lib::Result<T> result, const char* what) {
    if (!result)
        PANIC("memory: {} failed: {}", what, mnos::error_name(result.error()));
    if constexpr (!std::is_void_v<T>)
        return *result;
}

void init_pmm(const BootInfo& info) {
    PhysRange image{PhysAddr(kernel_phys(__kernel_phys_start)), PhysAddr(kernel_phys(__kernel_phys_end))};
    PhysRange reserved[MAX_BOOT_RESERVATIONS];
    size_t count = must(collect_boot_reservations(info, image, reserved), "collecting reservations");
    must(g_pmm.init({info.regions, info.region_count}, {reserved, count}, HHDM), "PMM init");
    if (g_pmm.bitmap_storage().end.value() > BOOT_HHDM_LIMIT)
        PANIC("memory: PMM bitmaps at {} lie outside the boot mapping", g_pmm.bitmap_storage().start);
}

// Physical ranges the HHDM covers: every RAM and ACPI region, the first MiB (BIOS data, where
// the RSDP and the SMP trampoline live), and reserved regions interleaved with RAM (SeaBIOS
// keeps ACPI tables in one). Reserved ranges above all RAM below them are device windows
// (PCIe ECAM, flash, the APICs) and are left to map_mmio, uncached.
struct Range {
    uint64_t start, end;
};
constexpr size_t MAX_RANGES = BootInfo::MAX_REGIONS + 2;

size_t hhdm_ranges(const BootInfo& info, Range (&out)[MAX_RANGES]) {
    size_t n = 0;
    out[n++] = {0, LOW_MEMORY_END};
    // The framebuffer stays reachable at the address the console already uses, so logging
    // works on both sides of the CR3 switch.
    if (info.has_framebuffer()) {
        uint64_t fb = info.framebuffer.base.value() & ~(lib::PAGE_SIZE - 1);
        uint64_t fb_end = info.framebuffer.base.value() +
                          uint64_t(info.framebuffer.pitch) * info.framebuffer.height;
        out[n++] = {fb, (fb_end + lib::PAGE_SIZE - 1) & ~(lib::PAGE_SIZE - 1)};
    }
    for (size_t i = 0; i < info.region_count; ++i) {
        const MemoryRegion& r = info.regions[i];
        uint64_t start = r.base.value() & ~(lib::PAGE_SIZE - 1);
        uint64_t end = (r.base.value() + r.length + lib::PAGE_SIZE - 1) & ~(lib::PAGE_SIZE - 1);
        if (r.type == MemoryType::Defective || start == end)
            continue;
        if (r.type == MemoryType::Reserved) {
            bool ram_above = false, ram_below = false;
            for (size_t j = 0; j < info.region_count; ++j) {
                const MemoryRegion& other = info.regions[j];
                if (other.type != MemoryType::Usable)
                    continue;
                ram_above |= other.base.value() >= end && other.base.value() - end < (64ull << 20);
                ram_below |= other.base.value() + other.length <= start &&
                             start - (other.base.value() + other.length) < (64ull << 20);
            }
            if (!ram_above && !ram_below)
                continue; // far from any RAM: a device window, not firmware data
        }
        out[n++] = {start, end};
    }
    // Sort and merge, so overlapping or touching regions are mapped once.
    for (size_t i = 1; i < n; ++i)
        for (size_t j = i; j > 0 && out[j].start < out[j - 1].start; --j) {
            Range t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    size_t merged = 0;
    for (size_t i = 0; i < n; ++i) {
        if (merged && out[i].start <= out[merged - 1].end) {
            if (out[i].end > out[merged - 1].end)
                out[merged - 1].end = out[i].end;
        } else {
            out[merged++] = out[i];
        }
    }
    return merged;
}

void map_image_section(PageTable& table, const uint8_t* start, const uint8_t* end, PageFlags flags) {
    uint64_t virt = image_virt(start) & ~(lib::PAGE_SIZE - 1);
    uint64_t virt_end = (image_virt(end) + lib::PAGE_SIZE - 1) & ~(lib::PAGE_SIZE - 1);
    for (; virt < virt_end; virt += lib::PAGE_SIZE)
        must(table.map(VirtAddr(virt), PhysAddr(virt - KERNEL_VMA), flags | PageFlags::Global,
                       PageSize::Small),
             "mapping the kernel image");
}

uint64_t build_kernel_tables(const BootInfo& info) {
    // Only the boot CPU runs yet; the lock is for the analysis and costs nothing here.
    Guard guard(g_mappings_lock);
    auto created = must(PageTable::create(HHDM, g_pmm), "creating the kernel page table");
    // The PageTable lives in static storage: placement-new because the heap does not exist yet.
    g_kernel_table = new (g_kernel_table_storage) PageTable(created);
    g_kernel_root = g_kernel_table->root();
    PageTable& table = *g_kernel_table;
    // Every PML4 slot of the kernel half gets its table now, so address spaces created later
    // (which copy these 256 entries) see every kernel mapping made after them.
    must(table.preallocate_kernel_half(), "preallocating the kernel half");

    Range ranges[MAX_RANGES];
    size_t count = hhdm_ranges(info, ranges);
    uint64_t mapped = 0;
    for (size_t i = 0; i < count; ++i) {
        must(table.map_range(VirtAddr(HHDM_BASE + ranges[i].start), PhysAddr(ranges[i].start),
                             ranges[i].end - ranges[i].start, PageFlags::Writable | PageFlags::Global),
             "mapping the HHDM");
        mapped += ranges[i].end - ranges[i].start;
    }

    // W^X: code is read-only, data is never executable, nothing is both writable and executable.
    map_image_section(table, __text_start, __text_end, PageFlags::Executable);
    map_image_section(table, __rodata_start, __rodata_end, PageFlags::None);
    map_image_section(table, __data_start, __bss_end, PageFlags::Writable);
    map_image_section(table, __ksyms_start, __ksyms_end, PageFlags::None);
    return mapped;
}

void switch_to_kernel_tables() {
    // CR4.PGE makes Global entries survive CR3 writes; EFER.NXE was set by boot.S, which the NX
    // bits in these tables require.
    cpu::write_cr4(cpu::read_cr4() | (1u << 7));
    cpu::write_cr3(g_kernel_root.value());
}

void report(uint64_t hhdm_bytes) {
    PmmStats s = g_pmm.stats();
    kprintln("memory: usable {} MiB ({} frames), free {} frames, reserved {} frames",
             s.total_bytes() >> 20, s.total_frames, s.free_frames, s.reserved_frames);
    kprintln("memory: HHDM maps {} MiB at {:#x}; kernel heap at {:#x}", hhdm_bytes >> 20,
             HHDM_BASE, layout::HEAP_BASE);
    kprintln("memory: W^X enforced: .text r-x, .rodata r--, .data/.bss rw- (NX), HHDM rw- (NX), "
             "null page and boot identity map unmapped");
}

} // namespace

void init(const BootInfo& info) {
    init_pmm(info);
    uint64_t hhdm_bytes = build_kernel_tables(info);
    switch_to_kernel_tables();
    must(kernel_heap().init(VirtAddr(layout::HEAP_BASE), layout::HEAP_SIZE, g_heap_grower),
         "heap init");
    report(hhdm_bytes);
}

PhysicalAllocator& pmm() { return g_pmm; }

PhysAddr kernel_page_table_root() { return g_kernel_root; }

lib::Result<VirtAddr> map_mmio(PhysAddr phys, size_t size) {
    if (size == 0)
        return lib::fail(lib::Error::InvalidArgument);
    uint64_t first = phys.value() & ~(lib::PAGE_SIZE - 1);
    uint64_t last = (phys.value() + size + lib::PAGE_SIZE - 1) & ~(lib::PAGE_SIZE - 1);
    if (last < first)
        return lib::fail(lib::Error::Overflow);
    Guard guard(g_mappings_lock);
    uint64_t pages = (last - first) / lib::PAGE_SIZE;
    if (g_mmio_next + pages * lib::PAGE_SIZE > layout::MMIO_BASE + layout::MMIO_SIZE)
        return lib::fail(lib::Error::OutOfMemory);
    uint64_t base = g_mmio_next;
    for (uint64_t i = 0; i < pages; ++i) {
        auto mapped = g_kernel_table->map(VirtAddr(base + i * lib::PAGE_SIZE),
                                          PhysAddr(first + i * lib::PAGE_SIZE),
                                          PageFlags::Writable | PageFlags::Uncached | PageFlags::Global,
                                          PageSize::Small);
        if (!mapped) {
            for (uint64_t j = 0; j < i; ++j)
                (void)g_kernel_table->unmap(VirtAddr(base + j * lib::PAGE_SIZE));
            return lib::fail(mapped.error());
        }
    }
    g_mmio_next += pages * lib::PAGE_SIZE; // MMIO mappings live as long as the kernel
    return VirtAddr(base + (phys.value() - first));
}

lib::Result<KernelStack> allocate_kernel_stack() {
    Guard guard(g_mappings_lock);
    uint64_t slot = MAX_STACKS;
    for (uint64_t i = 0; i < MAX_STACKS; ++i)
        if (!(g_stack_slots_used[i / 64] & (1ull << (i % 64)))) {
            slot = i;
            break;
        }
    if (slot == MAX_STACKS)
        return lib::fail(lib::Error::OutOfMemory);
    layout::StackSlot s = layout::stack_slot(slot);
    for (uint64_t page = s.bottom.value(); page < s.top.value(); page += lib::PAGE_SIZE) {
        auto frame = g_pmm.alloc();
        lib::Result<void> mapped = frame ? g_kernel_table->map(VirtAddr(page), *frame,
                                                               PageFlags::Writable | PageFlags::Global,
                                                               PageSize::Small)
                                         : lib::Result<void>(lib::fail(frame.error()));
        if (!mapped) {
            if (frame)
                (void)g_pmm.free(*frame);
            for (uint64_t undo = s.bottom.value(); undo < page; undo += lib::PAGE_SIZE)
                if (auto gone = g_kernel_table->unmap(VirtAddr(undo)))
                    (void)g_pmm.free(gone->phys);
            return lib::fail(mapped.error());
        }
    }
    g_stack_slots_used[slot / 64] |= 1ull << (slot % 64);
    return KernelStack{s.bottom, s.top, slot};
}

void free_kernel_stack(const KernelStack& stack) {
    constexpr uint64_t PAGES = layout::STACK_SIZE / lib::PAGE_SIZE;
    PhysAddr frames[PAGES];
    {
        Guard guard(g_mappings_lock);
        for (uint64_t i = 0; i < PAGES; ++i) {
            auto gone = g_kernel_table->unmap(stack.bottom + i * lib::PAGE_SIZE);
            if (!gone)
                PANIC("memory: freeing kernel stack slot {}: page {} is not mapped", stack.slot, i);
            frames[i] = gone->phys;
        }
    }
    // Outside the lock (see tlb.h); the frames are reused only once no CPU can reach them.
    x86_64::tlb::shootdown(g_kernel_root, stack.bottom, PAGES);
    for (PhysAddr frame : frames)
        (void)g_pmm.free(frame);
    Guard guard(g_mappings_lock);
    g_stack_slots_used[stack.slot / 64] &= ~(1ull << (stack.slot % 64));
}

lib::Result<void> map_identity_for_trampoline(PhysAddr page) {
    Guard guard(g_mappings_lock);
    return g_kernel_table->map(VirtAddr(page.value()), page, PageFlags::Executable, PageSize::Small);
}

void unmap_identity_for_trampoline(PhysAddr page) {
    {
        Guard guard(g_mappings_lock);
        (void)g_kernel_table->unmap(VirtAddr(page.value()));
    }
    x86_64::tlb::shootdown(g_kernel_root, VirtAddr(page.value()), 1);
}

lib::Result<Translation> translate_kernel(VirtAddr virt) {
    Guard guard(g_mappings_lock);
    return g_kernel_table->translate(virt);
}

namespace {

void audit_table(PhysAddr table, int level, MappingAudit& audit) {
    // Tables are frames the PMM handed out, all inside the HHDM.
    const uint64_t* entries = phys_to_ptr<const uint64_t>(table);
    for (size_t i = 0; i < PageTable::ENTRIES; ++i) {
        uint64_t e = entries[i];
        if (!(e & pte::PRESENT))
            continue;
        bool leaf = level == 1 || (level <= 3 && (e & pte::HUGE));
        if (!leaf) {
            audit_table(PhysAddr(e & pte::ADDRESS), level - 1, audit);
            continue;
        }
        ++audit.leaves;
        if ((e & pte::WRITABLE) && !(e & pte::NO_EXECUTE))
            ++audit.writable_and_executable;
        if (e & pte::USER)
            ++audit.user_accessible;
    }
}

} // namespace

MappingAudit audit_kernel_mappings() {
    Guard guard(g_mappings_lock);
    MappingAudit audit;
    audit_table(g_kernel_table->root(), 4, audit);
    return audit;
}

void flush_kernel_page(VirtAddr virt) { cpu::invlpg(virt.value()); }

// Hooks the heap and operator new/delete call (kernel/mm/kernel_heap.h).
void heap_allocation_failed(size_t size, size_t align) {
    PANIC("out of kernel heap: {} bytes aligned to {}", size, align);
}

void heap_free_failed(void* ptr, lib::Error error) {
    PANIC("bad kernel heap free of {}: {}", static_cast<const void*>(ptr), mnos::error_name(error));
}

} // namespace kernel::mm
