#include "kernel/acpi/physical_reader.h"

namespace kernel::acpi {

lib::Result<std::span<const uint8_t>> PhysicalReader::map(lib::PhysAddr address,
                                                          uint64_t length) const {
    // Written so that no sum can wrap: a firmware-supplied address near 2^64 or a huge length
    // must fail the comparison, not overflow past it.
    if (address < m_start)
        return lib::fail(mnos::Error::BadAddress);
    uint64_t offset = address - m_start;
    if (offset > m_size || length > m_size - offset)
        return lib::fail(mnos::Error::BadAddress);
    return std::span<const uint8_t>(m_base + offset, static_cast<size_t>(length));
}

} // namespace kernel::acpi
