#include "kernel/object/io_port.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/cap/cnode.h"
#include "kernel/debug/log.h"
#include "kernel/dev/serial.h"

namespace kernel::object {

namespace {

// (port, width): InvalidArgument for a width other than 1, 2, 4, or an access that is not
// entirely inside the capability's range.
lib::Result<uint16_t> checked_port(const IoPort& range, uint64_t port, uint64_t width) {
    if (width != 1 && width != 2 && width != 4)
        return lib::fail(mnos::Error::InvalidArgument);
    if (!range.contains(port, width))
        return lib::fail(mnos::Error::InvalidArgument);
    return uint16_t(port);
}

} // namespace

// (io port, port, width) -> value
lib::Result<uint64_t> IoPort::invoke(syscall::Op<mnos::Syscall::PortIn>,
                                     syscall::Invocation& call) {
    uint64_t width = call.registers.arg2();
    uint16_t port = TRY(checked_port(*this, call.registers.arg1(), width));
    // The capability covers [port, port + width): the holder was granted exactly these ports.
    switch (width) {
    case 1: return cpu::in8(port);
    case 2: return cpu::in16(port);
    default: return cpu::in32(port);
    }
}

// (io port, port, width, value) -> 0
lib::Result<uint64_t> IoPort::invoke(syscall::Op<mnos::Syscall::PortOut>,
                                     syscall::Invocation& call) {
    uint64_t width = call.registers.arg2();
    uint16_t port = TRY(checked_port(*this, call.registers.arg1(), width));
    uint64_t value = call.registers.arg3();
    switch (width) {
    case 1:
        if (port == serial::TRANSMIT_PORT)
            log::out8_between_lines(port, uint8_t(value));
        else
            cpu::out8(port, uint8_t(value));
        break;
    case 2: cpu::out16(port, uint16_t(value)); break;
    default: cpu::out32(port, uint32_t(value)); break;
    }
    return 0;
}

// (io port, first port, count) -> io-port slot, for [first, first + count) with the invoked
// capability's rights. InvalidArgument unless the subrange lies inside this one and is not empty.
lib::Result<uint64_t> IoPort::invoke(syscall::Op<mnos::Syscall::NarrowPorts>,
                                     syscall::Invocation& call) {
    uint64_t first = call.registers.arg1();
    uint64_t count = call.registers.arg2();
    if (count == 0 || count > PORT_SPACE || !contains(first, 1) || !contains(first + count - 1, 1))
        return lib::fail(mnos::Error::InvalidArgument);
    if (call.cnode.used_slots() >= mnos::CNODE_SLOTS)
        return lib::fail(mnos::Error::NoSlot);
    auto narrowed = TRY(create(uint16_t(first), uint32_t(count)));
    mnos::CapSlot slot = TRY(cap::insert(call.cnode, std::move(narrowed), call.target.rights));
    return slot.index();
}

} // namespace kernel::object
