// Plain MSI through the interrupt capability (tests/boot, device-msi; user/etc/test/msi.manifest):
// QEMU's "edu" device (1234:11e8) offers MSI and no MSI-X. DeviceIrq entry 0 must then give an
// MSI line: the kernel programs the message and enables MSI in the function's capability, and
// each interrupt the device raises (a write to its interrupt-raise register) arrives through
// WaitIrq. edu sends a message only with MSI enabled and bus mastering on (QEMU drops the write
// otherwise) and falls back to its INTx pin without MSI, so an interrupt that arrives with MSI
// enabled is the message. Exits with its failure count.
#include "abi/init.h"
#include "lib/pci/capabilities.h"
#include "user/libmnos/device.h"
#include "user/libmnos/print.h"

namespace {

using mnos::CapSlot;
using mnos::Error;
namespace sys = mnos::sys;

constexpr CapSlot DEVICE{mnos::service_caps::FIRST_GRANT};
// edu's registers (QEMU's docs/specs/edu.rst), in BAR 0.
constexpr uint32_t IDENTIFICATION = 0x00, INTERRUPT_STATUS = 0x24, INTERRUPT_RAISE = 0x60,
                   INTERRUPT_ACK = 0x64;
constexpr uint32_t EDU_ID_MASK = 0xffff, EDU_ID = 0xed;
constexpr uint16_t MSI_CONTROL = 2, MSI_ENABLE = 1;
constexpr int ROUNDS = 3;

int g_failures = 0;

void check(bool ok, const char* what) {
    if (!ok)
        ++g_failures;
    mnos::println("msi-probe: {} {}", ok ? "PASS" : "FAIL", what);
}

// Sound: `regs` is BAR 0 mapped uncached by map_bar, 0x100 bytes long, and every offset used
// is a 4-byte register inside it.
uint32_t read_register(volatile uint8_t* regs, uint32_t offset) {
    return *reinterpret_cast<volatile uint32_t*>(regs + offset);
}
void write_register(volatile uint8_t* regs, uint32_t offset, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(regs + offset) = value;
}

} // namespace

int main(int, char**) {
    mnos::device::PciConfig config(DEVICE);
    lib::pci::CapabilityList caps;
    check(lib::pci::walk_capabilities(config, {}, 0, caps) && caps.msi && !caps.msix,
          "the function offers MSI and no MSI-X");
    if (!caps.msi)
        return g_failures + 1;
    (void)sys::pci_config_write(DEVICE, lib::pci::reg::COMMAND, 2,
                                lib::pci::COMMAND_MEMORY | lib::pci::COMMAND_BUS_MASTER);
    auto regs = mnos::device::map_bar(config, 0, 0, 0x100);
    check(regs && (read_register(*regs, IDENTIFICATION) & EDU_ID_MASK) == EDU_ID,
          "its registers answer with edu's identification");
    if (!regs)
        return g_failures + 1;
    auto line = sys::device_irq(DEVICE, 0);
    check(line.has_value(), "DeviceIrq entry 0 gives an interrupt line");
    if (!line)
        return g_failures + 1;
    auto control = sys::pci_config_read(DEVICE, uint16_t(caps.msi->offset + MSI_CONTROL), 2);
    check(control && (*control & MSI_ENABLE), "the kernel enabled MSI in the capability");
    check(sys::device_irq(DEVICE, 1).error() == Error::InvalidArgument,
          "a second vector is refused (one MSI vector) (InvalidArgument)");
    int delivered = 0;
    for (int round = 1; round <= ROUNDS; ++round) {
        write_register(*regs, INTERRUPT_RAISE, uint32_t(round));
        if (!sys::wait_irq(*line))
            break;
        uint32_t status = read_register(*regs, INTERRUPT_STATUS);
        write_register(*regs, INTERRUPT_ACK, status);
        if (status == uint32_t(round))
            ++delivered;
    }
    mnos::println("msi-probe: {} of {} interrupts delivered by message", delivered, ROUNDS);
    check(delivered == ROUNDS, "every interrupt the device raised arrived through the MSI line");
    mnos::println("msi-probe: {} failure(s)", g_failures);
    return g_failures;
}
