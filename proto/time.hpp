#pragma once
// Timestamps on the wire: RFC 3339 in UTC with milliseconds, "2026-11-26T22:03:13.123Z".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace fical::proto {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

/// The current time, truncated to milliseconds (what the wire format keeps).
TimePoint now_ms();

std::string format_time(TimePoint time);

/// Parses what format_time writes (the "Z" form; a missing ".mmm" is accepted).
std::optional<TimePoint> parse_time(std::string_view text);

}  // namespace fical::proto
