#pragma once

namespace RelayDesk {
inline constexpr const char *kApplicationName = "RelayDesk";
inline constexpr const char *kOrganizationName = "RelayDesk";
inline constexpr const char *kVersion = "0.1.0";
} // namespace RelayDesk
