// The device capabilities' boot test (tests/boot, device-*; user/etc/test/device.manifest):
// a would-be driver holding the PciDevice of a virtio-blk function (its own) and of a virtio-rng
// function (another device's, only so it can learn where that BAR is) checks that its own
// capability reaches its own registers, interrupt and DMA memory, and nothing else: another
// device's BAR, the local APIC, RAM and its own MSI-X table are refused with their codes, as
// are configuration writes beyond the command register and an executable mapping. Exits with
// its failure count.
#include "abi/init.h"
#include "lib/pci/capabilities.h"
#include "user/libmnos/device.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/print.h"

namespace {

using mnos::CapSlot;
using mnos::Error;
namespace sys = mnos::sys;

constexpr CapSlot OWN{mnos::service_caps::FIRST_GRANT};
constexpr CapSlot OTHER{mnos::service_caps::FIRST_GRANT + 1};
constexpr uint64_t PAGE = 4096;
constexpr uint64_t LOCAL_APIC = 0xfee00000;
constexpr uint64_t SOME_RAM = 0x100000;
constexpr uint64_t DMA_PAGES = 4;

int g_failures = 0;

void check(bool ok, const char* what) {
    if (!ok)
        ++g_failures;
    mnos::println("device-probe: {} {}", ok ? "PASS" : "FAIL", what);
}

template <typename T> bool refused(const lib::Result<T>& result, Error expected) {
    return !result && result.error() == expected;
}

// Where the virtio common configuration of `device` lies, physically.
lib::Result<uint64_t> common_config_address(mnos::device::PciConfig& config,
                                            lib::pci::CapabilityList& caps) {
    if (!lib::pci::walk_capabilities(config, {}, lib::pci::VIRTIO_VENDOR, caps))
        return lib::fail(Error::Malformed);
    const auto* common = caps.find_virtio(lib::pci::VirtioStructure::Common);
    if (!common)
        return lib::fail(Error::NotFound);
    return TRY(mnos::device::memory_bar_base(config, common->bar)) + common->region_offset;
}

void own_device(mnos::device::PciConfig& own, lib::pci::CapabilityList& caps) {
    auto ids = sys::pci_config_read(OWN, 0, 4);
    check(ids && *ids == 0x10421af4, "its configuration space names the virtio-blk function");
    auto common = common_config_address(own, caps);
    check(common.has_value(), "its virtio structures are found through its capability");
    if (!common)
        return;
    const auto* cap = caps.find_virtio(lib::pci::VirtioStructure::Common);
    auto mapped = mnos::device::map_bar(own, cap->bar, cap->region_offset, 56);
    check(mapped.has_value(), "its common configuration maps uncached through an MmioRegion");
    if (mapped) {
        // Sound: the structure was just mapped; offset 0 selects a feature word, 4 reads it.
        auto* select = reinterpret_cast<volatile uint32_t*>(*mapped);
        select[0] = 1;
        check(select[1] & 1, "the mapped registers answer: the device offers VIRTIO_F_VERSION_1");
    }
    check(refused(sys::device_mmio(OWN, *common + 0x10, 1), Error::InvalidArgument),
          "an unaligned region is refused (InvalidArgument)");
    if (caps.msix) {
        auto table = mnos::device::memory_bar_base(own, caps.msix->table_bar);
        uint64_t page = table ? (*table + caps.msix->table_offset) & ~(PAGE - 1) : 0;
        check(table && refused(sys::device_mmio(OWN, page, 1), Error::Busy),
              "its own MSI-X table stays the kernel's (Busy)");
    }
    auto region = sys::device_mmio(OWN, *common & ~(PAGE - 1), 1);
    check(region && refused(sys::map_mmio(mnos::service_caps::SELF, *region, 0x500000000000,
                                          mnos::MAP_EXEC),
                            Error::InvalidArgument),
          "a region is never mapped executable (InvalidArgument)");
    check(region && refused(sys::map_memory(mnos::service_caps::SELF, *region, 0x500000000000, 0),
                            Error::WrongType),
          "a region is not a memory frame (WrongType)");
}

void config_writes() {
    check(refused(sys::pci_config_write(OWN, 0x10, 4, 0), Error::InvalidArgument),
          "writing a BAR is refused (InvalidArgument)");
    check(refused(sys::pci_config_write(OWN, 4, 2, 1u << 8), Error::InvalidArgument),
          "the command register's SERR# bit is refused (InvalidArgument)");
    check(refused(sys::pci_config_read(OWN, 0x100, 4), Error::InvalidArgument),
          "reading past the 256 bytes is refused (InvalidArgument)");
    check(sys::pci_config_write(OWN, 4, 2, 6).has_value(),
          "memory decoding and bus mastering may be switched on");
}

void other_addresses(uint64_t other_common) {
    check(refused(sys::device_mmio(OWN, other_common & ~(PAGE - 1), 1), Error::NotFound),
          "another device's BAR is refused through this device's capability (NotFound)");
    check(refused(sys::device_mmio(OWN, LOCAL_APIC, 1), Error::NotFound),
          "the local APIC is refused (NotFound)");
    check(refused(sys::device_mmio(OWN, SOME_RAM, 1), Error::NotFound), "RAM is refused (NotFound)");
}

void interrupts_and_dma() {
    check(refused(sys::device_irq(OWN, 99), Error::InvalidArgument),
          "an MSI-X entry beyond the table is refused (InvalidArgument)");
    check(sys::device_irq(OWN, 0).has_value(), "MSI-X entry 0 is an interrupt line");
    auto before = sys::inspect(mnos::service_caps::BUDGET);
    auto dma = mnos::device::allocate_dma(OWN, DMA_PAGES);
    auto after = sys::inspect(mnos::service_caps::BUDGET);
    check(dma && dma->device_address != 0 && dma->device_address % PAGE == 0,
          "DMA memory has a physical address read through the device");
    check(before && after && before->size - after->size >= DMA_PAGES,
          "DMA memory is charged to the driver's budget");
}

// DmaRelease: pins are counted per frame, a device holds at most 40 frames, and a released pin
// makes room for another. The probe ends with its DMA memory still pinned: the kernel lets it
// go with the process (the boot test checks the kernel's line).
void dma_pins() {
    auto frame = sys::alloc_memory(mnos::service_caps::BUDGET, 1);
    auto first = frame ? sys::dma_address(OWN, *frame) : lib::fail(frame.error());
    auto second = frame ? sys::dma_address(OWN, *frame) : lib::fail(frame.error());
    check(first && second && *first == *second, "a frame pinned twice has one address");
    check(first && sys::dma_release(OWN, *first).value_or(9) == 1 &&
              sys::dma_release(OWN, *first).value_or(9) == 0,
          "DmaRelease takes one pin back at a time (2 pins: 1 left, then 0)");
    check(first && refused(sys::dma_release(OWN, *first), Error::NotFound),
          "DmaRelease of a frame no longer pinned is refused (NotFound)");
    check(refused(sys::dma_release(OWN, 0x1234000), Error::NotFound),
          "DmaRelease of an address never pinned is refused (NotFound)");
    if (frame)
        (void)sys::drop_cap(*frame);
    // The DMA memory above holds one pin: 39 more fill the device's 40. Each frame's capability
    // goes at once, so the pin alone keeps it (and the CNode has room).
    constexpr int MORE = 39;
    uint64_t addresses[MORE + 1] = {};
    int pinned = 0;
    for (int i = 0; i <= MORE; ++i) {
        auto one = sys::alloc_memory(mnos::service_caps::BUDGET, 1);
        if (!one)
            break;
        auto address = sys::dma_address(OWN, *one);
        (void)sys::drop_cap(*one);
        if (!address) {
            check(i == MORE && address.error() == Error::NoSlot,
                  "a device pins at most 40 frames (NoSlot beyond)");
            break;
        }
        addresses[pinned++] = *address;
    }
    check(pinned == MORE, "39 frames more are pinned");
    bool released = pinned > 0 && sys::dma_release(OWN, addresses[0]).value_or(9) == 0;
    auto again = sys::alloc_memory(mnos::service_caps::BUDGET, 1);
    auto repinned = again ? sys::dma_address(OWN, *again) : lib::fail(again.error());
    check(released && repinned.has_value(), "a released pin makes room for another frame");
    if (repinned)
        addresses[0] = *repinned;
    for (int i = 0; i < pinned; ++i)
        (void)sys::dma_release(OWN, addresses[i]);
}

} // namespace

int main(int, char**) {
    mnos::device::PciConfig own(OWN), other(OTHER);
    lib::pci::CapabilityList own_caps, other_caps;
    auto other_common = common_config_address(other, other_caps);
    if (!other_common) {
        mnos::println("device-probe: the other device has no virtio structures");
        return 1;
    }
    own_device(own, own_caps);
    config_writes();
    other_addresses(*other_common);
    interrupts_and_dma();
    dma_pins();
    mnos::println("device-probe: {} failure(s)", g_failures);
    return g_failures;
}
