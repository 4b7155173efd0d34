// MmioRegion: whole pages inside one memory BAR of one PCI device, which its holder may map
// into a process uncached (MapMmio: READ, and WRITE for a writable mapping) but never
// executable. Only a PciDevice makes them (DeviceMmio), after checking the range against that
// device's BARs in the kernel's inventory (lib/pci/device_access.h), so a driver can reach its
// own device's registers and nothing else.
#pragma once

#include <cstdint>

#include "kernel/object/kernel_object.h"
#include "lib/address.h"

namespace kernel::object {

class MmioRegion final : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::MmioRegion;

    // InvalidArgument for an unaligned base or an empty region; Overflow when it wraps.
    static lib::Result<lib::RefPtr<MmioRegion>> create(lib::PhysAddr base, uint64_t pages) {
        if (!base.is_aligned(lib::PAGE_SIZE) || pages == 0)
            return lib::fail(mnos::Error::InvalidArgument);
        if (pages > (UINT64_MAX - base.value()) / lib::PAGE_SIZE)
            return lib::fail(mnos::Error::Overflow);
        return create_object<MmioRegion>(base, pages);
    }

    lib::PhysAddr base() const { return m_base; }
    uint64_t page_count() const { return m_pages; }

private:
    template <typename T, typename... Args>
    friend lib::Result<lib::RefPtr<T>> create_object(Args&&...);
    MmioRegion(lib::PhysAddr base, uint64_t pages)
        : KernelObject(CAP_TYPE), m_base(base), m_pages(pages) {}

    lib::PhysAddr m_base;
    uint64_t m_pages;
};

} // namespace kernel::object
