// The echo test service's methods (echo_service.cpp, echo_client.cpp).
#pragma once

#include <cstdint>

namespace echo {
inline constexpr uint64_t ECHO = 1;  // (a, b) -> (a, b, the caller's badge)
inline constexpr uint64_t CRASH = 2; // (address) -> never: the service faults writing there
inline constexpr uint64_t PORTS = 3; // () -> (port inside the grant worked, outside refused)
} // namespace echo
