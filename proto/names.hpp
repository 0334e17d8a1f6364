#pragma once
// Validation of the names and versions that reach fical from outside.
#include <optional>
#include <string>
#include <string_view>

namespace fical::proto {

/// App, environment and service names: ^[a-z0-9][a-z0-9-]{0,62}$.
/// Returns std::nullopt when valid, else a message that names `field`.
std::optional<std::string> check_name(std::string_view field, std::string_view value);

/// Release versions follow Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
/// Returns std::nullopt when valid, else a message that names `field`.
std::optional<std::string> check_version(std::string_view field, std::string_view value);

}  // namespace fical::proto
