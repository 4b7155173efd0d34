// IrqControl: the right to claim interrupt lines. The kernel makes one at boot and gives it to
// init, which claims each driver's line (ClaimIrq, WRITE) and delegates only that IrqLine, the
// way it hands out subranges of the I/O ports. Holding an IrqLine lets a thread wait on it;
// holding this lets a process obtain any line, so nobody but init should keep it.
#pragma once

#include "kernel/object/kernel_object.h"
#include "kernel/syscall/invocation.h"

namespace kernel::object {

class IrqControl final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::IrqControl;

    static lib::Result<lib::RefPtr<IrqControl>> create() { return create_object<IrqControl>(); }

    // ---- the invocation (abi/syscall.h); irq_control.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::ClaimIrq>, syscall::Invocation&);

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    IrqControl() : KernelObject(CAP_TYPE) {}
};

} // namespace kernel::object
