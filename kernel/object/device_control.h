// DeviceControl: the right to claim PCI devices. The kernel makes one at boot and gives it to
// init, which claims each driver's device (ClaimPciDevice, WRITE) by vendor and device ID and
// delegates only that PciDevice, the way IrqControl hands out interrupt lines. Whoever holds
// this can take any device, so nobody but init should keep it.
#pragma once

#include "kernel/object/kernel_object.h"
#include "kernel/syscall/invocation.h"

namespace kernel::object {

class DeviceControl final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::DeviceControl;

    static lib::Result<lib::RefPtr<DeviceControl>> create() {
        return create_object<DeviceControl>();
    }

    // ---- the invocation (abi/syscall.h); device_control.cpp
    lib::Result<uint64_t> invoke(syscall::Op<mnos::Syscall::ClaimPciDevice>, syscall::Invocation&);

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    DeviceControl() : KernelObject(CAP_TYPE) {}
};

// Process `pid` ended: every device whose DMA pins it took has bus mastering switched off and
// those pins let go, so a driver that dies leaves no frame pinned, whether or not init claims
// its device again (process teardown calls this).
void release_devices_of(uint64_t pid);

} // namespace kernel::object
