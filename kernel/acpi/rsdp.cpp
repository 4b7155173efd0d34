#include "kernel/acpi/rsdp.h"

#include "kernel/acpi/bytes.h"

namespace kernel::acpi {

namespace {

// Offsets in the RSDP (ACPI spec, "Root System Description Pointer Structure").
constexpr size_t SIGNATURE = 0;
constexpr size_t OEM_ID = 9;
constexpr size_t REVISION = 15;
constexpr size_t RSDT_ADDRESS = 16;
constexpr size_t LENGTH = 20;
constexpr size_t XSDT_ADDRESS = 24;

} // namespace

AcpiResult<Rsdp> parse_rsdp(const PhysicalReader& reader, lib::PhysAddr address,
                            bool may_be_extended) {
    using mnos::Error;
    if (address.is_null())
        return refuse(Error::NotFound, Fault::RsdpNull);

    auto v1 = reader.map(address, Rsdp::V1_SIZE);
    if (!v1)
        return refuse(Error::BadAddress, Fault::RsdpUnreadable);
    if (!detail::has_signature(v1->subspan(SIGNATURE), "RSD PTR ", 8))
        return refuse(Error::Malformed, Fault::RsdpSignature);
    if (!detail::sums_to_zero(*v1))
        return refuse(Error::Malformed, Fault::RsdpChecksum);

    Rsdp rsdp;
    rsdp.revision = detail::read_u8(*v1, REVISION);
    for (size_t i = 0; i < sizeof(rsdp.oem_id); ++i)
        rsdp.oem_id[i] = static_cast<char>((*v1)[OEM_ID + i]);
    rsdp.rsdt = lib::PhysAddr(detail::read_u32(*v1, RSDT_ADDRESS));

    if (!may_be_extended || rsdp.revision < 2)
        return rsdp;

    auto head = reader.map(address, Rsdp::V2_SIZE);
    if (!head)
        return refuse(Error::BadAddress, Fault::RsdpUnreadable);
    uint32_t length = detail::read_u32(*head, LENGTH);
    if (length < Rsdp::V2_SIZE)
        return refuse(Error::Malformed, Fault::RsdpLength);
    auto full = reader.map(address, length);
    if (!full)
        return refuse(Error::BadAddress, Fault::RsdpUnreadable);
    if (!detail::sums_to_zero(*full))
        return refuse(Error::Malformed, Fault::RsdpExtendedChecksum);

    rsdp.xsdt = lib::PhysAddr(detail::read_u64(*full, XSDT_ADDRESS));
    rsdp.extended = true;
    return rsdp;
}

} // namespace kernel::acpi
