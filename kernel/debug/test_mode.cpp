#include "kernel/debug/test_mode.h"

#include "kernel/arch/x86_64/cpu.h"
#include "lib/command_line.h"

namespace kernel::test_mode {

namespace {

constexpr uint16_t QEMU_DEBUG_EXIT_PORT = 0xf4;
lib::StringView g_suite;

} // namespace

void init(lib::StringView command_line) { g_suite = lib::command_line_value(command_line, "test"); }

bool active() { return !g_suite.is_empty(); }

lib::StringView suite() { return g_suite; }

void exit(ExitCode code) {
    if (active())
        cpu::out32(QEMU_DEBUG_EXIT_PORT, uint32_t(code)); // QEMU exits with (code << 1) | 1
    cpu::halt_forever();
}

} // namespace kernel::test_mode
