// What a driver holding a PciDevice capability may do to its function, as pure checks the
// kernel applies before it touches anything (kernel/object/pci_device.cpp) and the host tests
// run unchanged (tests/host/pci/device_access_test.cpp):
//
//   - read any of the first 256 bytes of configuration space, 1, 2 or 4 bytes naturally aligned;
//   - write only the command register, and in it only the decode enables, bus mastering and
//     INTx disable: the BARs, the bus numbers and the MSI/MSI-X registers stay the kernel's,
//     because they decide where the device decodes and where its interrupts go;
//   - name a page range for an MmioRegion that lies inside one of its own memory BARs and does
//     not overlap the pages of its MSI-X table or PBA (the kernel programs those).
#pragma once

#include <cstdint>

#include "lib/pci/enumerate.h"
#include "lib/result.h"

namespace lib::pci {

// The command register bits a driver may change.
inline constexpr uint16_t COMMAND_INTX_DISABLE = 1u << 10;
inline constexpr uint16_t DRIVER_COMMAND_BITS =
    COMMAND_IO | COMMAND_MEMORY | COMMAND_BUS_MASTER | COMMAND_INTX_DISABLE;

// InvalidArgument unless `width` is 1, 2 or 4 and [offset, offset + width) is aligned and inside
// the 256 bytes.
lib::Result<void> check_config_read(uint64_t offset, uint64_t width);

// InvalidArgument unless this is a 2-byte write of the command register that sets no bit
// outside DRIVER_COMMAND_BITS.
lib::Result<void> check_config_write(uint64_t offset, uint64_t width, uint64_t value);

// The index of the memory BAR of `device` that holds [phys, phys + pages * 4 KiB).
// InvalidArgument for an unaligned address or no pages, Overflow when the range wraps, NotFound
// when no memory BAR of this device holds all of it (another device's BAR, RAM, the local
// APIC), Busy when it overlaps a page of the MSI-X table or PBA.
lib::Result<uint8_t> check_mmio_range(const Device& device, uint64_t phys, uint64_t pages);

} // namespace lib::pci
