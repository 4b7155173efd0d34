#include "kernel/init_process.h"

#include "abi/init.h"
#include "kernel/acpi/platform.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/boot/boot_module.h"
#include "kernel/cap/cnode.h"
#include "kernel/debug/log.h"
#include "kernel/debug/panic.h"
#include "kernel/debug/test_mode.h"
#include "kernel/dev/cmos_clock.h"
#include "kernel/mm/hhdm.h"
#include "kernel/mm/memory.h"
#include "kernel/object/io_port.h"
#include "kernel/object/device_control.h"
#include "kernel/object/irq_control.h"
#include "kernel/object/memory_budget.h"
#include "kernel/object/memory_frame.h"
#include "kernel/sched/user_process.h"
#include "lib/command_line.h"
#include "lib/format.h"

namespace kernel {

namespace {

using mnos::Rights;

lib::RefPtr<object::Process> g_init_process;
lib::RefPtr<object::MemoryBudget> g_root_budget;
const BootInfo* g_info;

// init's arguments: "init" and then each word of the kernel command line, so that init reads
// its own options (manifest=...) and the kernel never interprets them.
constexpr size_t MAX_ARGS = 32;
char g_command_line[512];
const char* g_argv[MAX_ARGS + 1];
char g_env_initrd[48];
char g_env_framebuffer[96];
char g_env_tsc[48];
char g_env_wall_clock[48];
char g_env_power[48];
const char* g_envp[6];
size_t g_env_count = 0;

size_t split_arguments(lib::StringView line) {
    size_t length = line.length() < sizeof g_command_line - 1 ? line.length()
                                                              : sizeof g_command_line - 1;
    __builtin_memcpy(g_command_line, line.data(), length);
    g_command_line[length] = '\0';
    size_t argc = 0;
    g_argv[argc++] = "init";
    for (size_t i = 0; i < length && argc < MAX_ARGS;) {
        while (i < length && g_command_line[i] == ' ')
            g_command_line[i++] = '\0';
        if (i == length)
            break;
        g_argv[argc++] = &g_command_line[i];
        while (i < length && g_command_line[i] != ' ')
            ++i;
    }
    return argc;
}

// A copy of the initrd in frames of its own, so the capability reveals nothing beside the
// archive (the module's last page may hold other boot data) and the pages go back to the
// allocator if init ever drops it.
lib::Result<lib::RefPtr<object::MemoryFrame>> initrd_frame(std::span<const uint8_t> archive) {
    uint64_t pages = (archive.size() + lib::PAGE_SIZE - 1) / lib::PAGE_SIZE;
    auto frame = TRY(g_root_budget->allocate_zeroed_run(pages ? pages : 1));
    // Sound: the run was just allocated, zeroed and is mapped nowhere but the HHDM.
    __builtin_memcpy(mm::phys_to_ptr<uint8_t>(frame->base()), archive.data(), archive.size());
    return frame;
}

// The framebuffer's pages, described (not owned: it is device memory).
lib::Result<lib::RefPtr<object::MemoryFrame>> framebuffer_frame(const Framebuffer& fb,
                                                                 uint64_t& offset) {
    lib::PhysAddr base(fb.base.value() & ~(lib::PAGE_SIZE - 1));
    offset = fb.base.value() - base.value();
    uint64_t bytes = offset + uint64_t(fb.pitch) * fb.height;
    return object::MemoryFrame::create(base, (bytes + lib::PAGE_SIZE - 1) / lib::PAGE_SIZE);
}

// init's CNode (abi/init.h), filled before its first instruction runs.
lib::Result<void> grant_root_capabilities(object::Process& process) {
    using namespace mnos::init_caps;
    cap::CNode& cnode = process.cnode();
    process.add_ref(); // the capability's own reference
    TRY(cap::insert(cnode, lib::adopt_ref<object::KernelObject>(&process), Rights::All, SELF));
    TRY(cap::insert(cnode, g_root_budget, Rights::All, BUDGET));
    auto ports = TRY(object::IoPort::create(0, object::IoPort::PORT_SPACE));
    TRY(cap::insert(cnode, std::move(ports), Rights::All, IO_PORTS));
    auto irq_control = TRY(object::IrqControl::create());
    TRY(cap::insert(cnode, std::move(irq_control), Rights::All, IRQ_CONTROL));
    auto device_control = TRY(object::DeviceControl::create());
    TRY(cap::insert(cnode, std::move(device_control), Rights::All, DEVICE_CONTROL));
    auto module = boot_module(*g_info, "initrd");
    auto initrd = TRY(initrd_frame(module ? *module : std::span<const uint8_t>()));
    TRY(cap::insert(cnode, std::move(initrd), Rights::Read | Rights::Grant, INITRD));
    if (g_info->has_framebuffer()) {
        uint64_t offset = 0;
        auto framebuffer = TRY(framebuffer_frame(g_info->framebuffer, offset));
        TRY(cap::insert(cnode, std::move(framebuffer), Rights::Read | Rights::Write | Rights::Grant,
                        FRAMEBUFFER));
    }
    return {};
}

void describe_boot_modules(size_t initrd_bytes) {
    lib::BufferOutput initrd(g_env_initrd, sizeof g_env_initrd);
    lib::format_to(initrd, "{}={}", mnos::init_env::INITRD_BYTES, initrd_bytes);
    size_t count = 0;
    g_envp[count++] = g_env_initrd;
    lib::BufferOutput tsc(g_env_tsc, sizeof g_env_tsc);
    lib::format_to(tsc, "{}={}", mnos::init_env::TSC_HZ, x86_64::lapic::calibration().tsc_hz);
    g_envp[count++] = g_env_tsc;
    if (auto base = cmos_clock::wall_clock_base_ns()) {
        lib::BufferOutput out(g_env_wall_clock, sizeof g_env_wall_clock);
        lib::format_to(out, "{}={}", mnos::init_env::WALL_CLOCK_BASE_NS, *base);
        g_envp[count++] = g_env_wall_clock;
    }
    if (const auto& power = acpi::platform_power_control()) {
        lib::BufferOutput out(g_env_power, sizeof g_env_power);
        lib::format_to(out, "{}={}", mnos::init_env::ACPI_PM1A_CONTROL, power->pm1a_control);
        g_envp[count++] = g_env_power;
    }
    if (g_info->has_framebuffer()) {
        const Framebuffer& fb = g_info->framebuffer;
        lib::BufferOutput out(g_env_framebuffer, sizeof g_env_framebuffer);
        lib::format_to(out, "{}={}x{}x{},{},{}", mnos::init_env::FRAMEBUFFER, fb.width, fb.height,
                       fb.bpp, fb.pitch, fb.base.value() % lib::PAGE_SIZE);
        g_envp[count++] = g_env_framebuffer;
    }
    g_env_count = count;
}

bool init_wanted(lib::StringView command_line) {
    lib::StringView choice = lib::command_line_value(command_line, "init");
    if (choice == lib::StringView("none"))
        return false;
    // A self-test suite runs alone unless it asks for init: a program running beside it would
    // change what it measures (free frames, threads per CPU, IRQ owners).
    if (test_mode::active() && choice != lib::StringView("start")) {
        kprintln("userspace: init not started in test mode (init=start starts it)");
        return false;
    }
    return true;
}

} // namespace

void start_init(const BootInfo& info) {
    g_info = &info;
    auto budget = object::MemoryBudget::create(mm::pmm());
    if (!budget)
        PANIC("userspace: no memory for the root budget");
    g_root_budget = std::move(*budget);
    if (!init_wanted(info.command_line))
        return;
    auto image = boot_module(info, "init");
    if (!image) {
        kprintln(LogColour::Error, "userspace: no boot module named init: nothing to start");
        return;
    }
    auto archive = boot_module(info, "initrd");
    if (!archive)
        kprintln(LogColour::Warning, "userspace: no boot module named initrd: init gets none");
    describe_boot_modules(archive ? archive->size() : 0);
    size_t argc = split_arguments(info.command_line);
    kprintln("userspace: starting init ({} bytes) with {} argument(s)", image->size(), argc);
    auto process = sched::spawn_program("init", *image, std::span(g_argv, argc),
                                        std::span(g_envp, g_env_count), *g_root_budget,
                                        grant_root_capabilities);
    if (!process) {
        kprintln(LogColour::Error, "userspace: cannot start init: {}",
                 mnos::error_name(process.error()));
        return;
    }
    kprintln("userspace: init is process {}", (*process)->pid());
    // From here the framebuffer is the screen service's, which init starts (the kernel's log
    // stays on serial, and a panic draws again).
    log::hand_screen_over();
    g_init_process = std::move(*process); // init lives as long as the kernel
}

object::Process* init_process() { return g_init_process.get(); }
object::MemoryBudget& root_budget() { return *g_root_budget; }

} // namespace kernel
