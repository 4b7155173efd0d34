#include "kernel/debug/backtrace.h"

#include "kernel/debug/log.h"
#include "kernel/debug/symbols.h"

extern "C" uint8_t boot_kernel_stack_bottom[];

namespace kernel {

namespace {

constexpr int MAX_FRAMES = 32;
constexpr uint64_t BOOT_STACK_SIZE = 64 * 1024; // matches boot.S

void print_frame(int index, uint64_t address) {
    auto symbol = symbols::lookup(address);
    if (symbol)
        kprintln("  #{} {:#018x} {}+{:#x}", index, address, symbol->name, symbol->offset);
    else
        kprintln("  #{} {:#018x} ?", index, address);
}

} // namespace

StackBounds current_stack_bounds() {
    auto low = reinterpret_cast<uint64_t>(boot_kernel_stack_bottom);
    return {low, low + BOOT_STACK_SIZE};
}

void print_backtrace(uint64_t rip, uint64_t rbp, StackBounds bounds) {
    kprintln("backtrace:");
    print_frame(0, rip);
    for (int i = 1; i < MAX_FRAMES; ++i) {
        // A frame is [saved rbp][return address]; both words must lie inside the stack.
        if (rbp < bounds.low || rbp > bounds.high - 16 || rbp % 8 != 0)
            break;
        // In bounds and aligned, so this reads two words of the live stack.
        auto* frame = reinterpret_cast<const uint64_t*>(rbp);
        uint64_t return_address = frame[1];
        if (return_address == 0)
            break;
        // Return addresses point after the call; -1 lands inside the calling instruction so
        // the symbol is the caller even when the call was its last instruction.
        print_frame(i, return_address - 1);
        if (frame[0] <= rbp) // frames move up the stack; anything else is a corrupt chain
            break;
        rbp = frame[0];
    }
}

} // namespace kernel
