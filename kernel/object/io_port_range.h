// IoPortRange: the right to use x86 I/O ports [base, base + size). The port instructions
// themselves run in the syscall layer (or through the TSS I/O bitmap); this object only says
// which ports a holder may touch.
#pragma once

#include <cstdint>

#include "kernel/object/kernel_object.h"

namespace kernel::object {

class IoPortRange final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::IoPort;
    static constexpr uint32_t PORT_SPACE = 0x10000; // 16-bit port numbers

    // InvalidArgument for an empty range or one that runs past port 0xffff.
    static lib::Result<lib::RefPtr<IoPortRange>> create(uint16_t base, uint32_t size) {
        if (size == 0 || uint32_t(base) + size > PORT_SPACE)
            return lib::fail(mnos::Error::InvalidArgument);
        return create_object<IoPortRange>(base, size);
    }

    uint16_t base() const { return m_base; }
    uint32_t size() const { return m_size; }
    // Whether an access of `width` bytes (1, 2 or 4) at `port` lies entirely inside the range.
    bool contains(uint16_t port, uint32_t width) const {
        return port >= m_base && uint32_t(port) + width <= uint32_t(m_base) + m_size;
    }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    IoPortRange(uint16_t base, uint32_t size)
        : KernelObject(CAP_TYPE), m_base(base), m_size(size) {}

    uint16_t m_base;
    uint32_t m_size;
};

} // namespace kernel::object
