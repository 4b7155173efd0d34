// Shared by the PCI host tests: error expectations that print the fault's reason.
#pragma once

#include <gtest/gtest.h>

#include <ostream>

#include "lib/pci/error.h"

namespace lib::pci {
inline void PrintTo(const PciError& e, std::ostream* os) {
    *os << mnos::error_name(e.code) << " / " << e.reason();
}
} // namespace lib::pci

namespace pci_test {

constexpr lib::pci::PciError pci_error(lib::pci::Fault fault,
                                       mnos::Error code = mnos::Error::Malformed) {
    return {code, fault};
}

template <typename T> lib::pci::PciError error_of(const lib::pci::PciResult<T>& r) {
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? pci_error(lib::pci::Fault::HeaderLayout, mnos::Error::InvalidArgument)
                         : r.error();
}

} // namespace pci_test
