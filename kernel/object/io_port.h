// IoPort: the right to use x86 I/O ports [base, base + size). PortIn needs READ, PortOut WRITE;
// the access must lie entirely inside the range. NarrowPorts (GRANT) makes a capability for a
// subrange, which is how init hands a driver exactly its device's ports out of all of them.
#pragma once

#include <cstdint>

#include "kernel/object/kernel_object.h"
#include "kernel/syscall/invocation.h"

namespace kernel::object {

class IoPort final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::IoPort;
    static constexpr uint32_t PORT_SPACE = 0x10000; // 16-bit port numbers

    // InvalidArgument for an empty range or one that runs past port 0xffff.
    static lib::Result<lib::RefPtr<IoPort>> create(uint16_t base, uint32_t size) {
        if (size == 0 || uint32_t(base) + size > PORT_SPACE)
            return lib::fail(mnos::Error::InvalidArgument);
        return create_object<IoPort>(base, size);
    }

    // ---- the invocations (abi/syscall.h); io_port.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::PortIn>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::PortOut>, syscall::Invocation&);
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::NarrowPorts>, syscall::Invocation&);

    uint16_t base() const { return m_base; }
    uint32_t size() const { return m_size; }
    // Whether an access of `width` bytes (1, 2 or 4) at `port` lies entirely inside the range.
    bool contains(uint64_t port, uint64_t width) const {
        return port < PORT_SPACE && port >= m_base && port + width <= uint32_t(m_base) + m_size;
    }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    IoPort(uint16_t base, uint32_t size) : KernelObject(CAP_TYPE), m_base(base), m_size(size) {}

    uint16_t m_base;
    uint32_t m_size;
};

} // namespace kernel::object
