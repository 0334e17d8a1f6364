#pragma once
// Durations as people write them in config and requests: "250ms", "10s", "5m", "1h".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace fical::proto {

/// Parses "<integer><unit>" with unit ms, s, m or h (a bare "0" is zero). At most 7 days.
/// Returns std::nullopt on anything else.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// The shortest exact form: 1500ms -> "1500ms", 60000ms -> "1m", 0 -> "0s".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace fical::proto
